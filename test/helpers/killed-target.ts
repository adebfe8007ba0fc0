import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { recordLine, schemaLine, stateLine } from "./messages.js";
import { exited } from "./processes.js";

/** The schema of stream "items" the kill tests send. */
export const ITEMS_SCHEMA = { id: { type: "integer" }, pad: { type: "string" } };

/**
 * Feeds a running target stream "items" (or, with `streams`, streams
 * s0…sN-1 in turn; ids from 1, a STATE `{upTo: id}` every 100 records) until it has confirmed `confirmations` STATEs, then
 * kills it with SIGKILL, mid-batch. Returns the last STATE it confirmed,
 * the last id sent and the signal it died of.
 */
export async function killMidStream(
  child: ChildProcessWithoutNullStreams,
  confirmations = 3,
  streams = 1,
): Promise<{ lastConfirmed: number; lastSent: number; signal: string | null }> {
  const streamOf = (id: number): string => (streams === 1 ? "items" : `s${id % streams}`);
  const confirmed: number[] = [];
  let buffered = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) confirmed.push((JSON.parse(line) as { upTo: number }).upTo);
  });
  child.stdin.on("error", () => undefined);
  for (let index = 0; index < streams; index += 1) child.stdin.write(`${schemaLine(streams === 1 ? "items" : `s${index}`, ITEMS_SCHEMA, ["id"])}\n`);
  let id = 0;
  while (confirmed.length < confirmations) {
    let chunk = "";
    for (let count = 0; count < 250; count += 1) {
      id += 1;
      chunk += `${recordLine(streamOf(id), { id, pad: "x".repeat(100) })}\n`;
      if (id % 100 === 0) chunk += `${stateLine({ upTo: id })}\n`;
    }
    child.stdin.write(chunk);
    // Lets the target read and confirm between chunks: the loop ends on its confirmations, not on time.
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  child.kill("SIGKILL");
  const { signal } = await exited(child);
  return { lastConfirmed: Math.max(...confirmed), lastSent: id, signal };
}
