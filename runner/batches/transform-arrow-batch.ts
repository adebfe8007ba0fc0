import { readFile, rm, writeFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { loadArrow, type BatchMessage } from "../../protocol/index.js";
import type { ArrowTable } from "../middleware/types.js";

/** A BATCH whose Arrow files went through the middleware: the message naming the new files, and those files. */
export interface TransformedBatch {
  readonly message: BatchMessage;
  readonly written: readonly string[];
}

/**
 * Runs each Arrow file of a checked BATCH through `transform` (the
 * middleware chain on the Arrow plane) and writes the result next to it as
 * a new Arrow IPC stream file (`<file>.agora.arrow`, the owner's only),
 * returning the BATCH that names the new files. The tap's files are left
 * for the ledger, which removes both once the targets confirmed them.
 */
export async function transformArrowBatch(
  message: BatchMessage,
  files: readonly string[],
  transform: (table: ArrowTable) => Promise<ArrowTable>,
): Promise<TransformedBatch> {
  const { tableFromIPC, tableToIPC } = await loadArrow();
  const written: string[] = [];
  try {
    for (const file of files) {
      const table = await transform(tableFromIPC(await readFile(file)));
      const path = `${file}.agora.arrow`;
      await writeFile(path, tableToIPC(table, "stream"), { mode: 0o600 });
      written.push(path);
    }
  } catch (error) {
    // Ours to remove: a batch that failed half-way is not sent, so nothing will confirm these.
    await Promise.all(written.map((path) => rm(path, { force: true })));
    throw error;
  }
  return { message: { ...message, manifest: written.map((path) => pathToFileURL(path).href) }, written };
}
