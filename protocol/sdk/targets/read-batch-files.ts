import { createReadStream, realpathSync } from "node:fs";
import { mayHoldExactNumbers, parseRecordJson } from "../../values/exact-json.js";
import { readFile } from "node:fs/promises";
import { resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Readable } from "node:stream";
import { AgoraError, FatalError, ProtocolError } from "../../errors.js";
import { LineSplitter } from "../../framing/line-splitter.js";
import { ProtocolCodes } from "../../messages/codes.js";
import type { BatchMessage, JsonSchema } from "../../messages/types.js";
import { decodeArrowBatch } from "../arrow/arrow-decode.js";
import { unfitColumn } from "../arrow/arrow-columns.js";
import { readArrowLayout } from "../arrow/arrow-layout.js";
import { readParquetLayout } from "../arrow/parquet-layout.js";
import { loadParquetWasm } from "../arrow/lazy-modules.js";

export const SUPPORTED_BATCH_FORMATS = ["jsonl", "arrow", "parquet"] as const;

/** Records handed on at a time from an Arrow file. */
const ARROW_CHUNK_ROWS = 10_000;

/** A local path for a manifest entry: `file:` URIs and plain paths; undefined for anything else (another scheme, a malformed file: URI). */
export function manifestPath(uri: string): string | undefined {
  if (uri.startsWith("file:")) {
    try {
      return fileURLToPath(uri);
    } catch {
      return undefined;
    }
  }
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) ? undefined : resolve(uri);
}

/** The local path of a manifest entry, or a ProtocolError naming it. */
function localPath(uri: string, stream: string, line: number): string {
  const local = manifestPath(uri);
  if (local !== undefined) return local;
  throw new ProtocolError(ProtocolCodes.BATCH_FILE_NOT_LOCAL, `the BATCH manifest names ${uri}, which is not a local file (a file: URI or a path)`, {
    where: { stream, line },
    hint: "Have the tap write its batch files on this machine's file system.",
  });
}

/** The real path of a folder or file (symbolic links resolved), or the path itself if it does not exist. */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * Refuses a batch file outside `roots`: a manifest is data from the tap, and
 * must not make whoever reads it (a target, the runner) read or remove any
 * file it can (`file:///etc/shadow`). Symbolic links are resolved first, so
 * a link cannot lead outside. The one check for the SDK and the runner.
 */
export function checkBatchPath(path: string, roots: readonly string[], stream: string, line: number): void {
  const real = realPath(path);
  const allowed = roots.map(realPath);
  if (allowed.some((root) => real === root || real.startsWith(root.endsWith(sep) ? root : `${root}${sep}`))) return;
  throw new ProtocolError(
    ProtocolCodes.BATCH_FILE_OUTSIDE_ROOTS,
    `the BATCH manifest names ${path}, outside the folders batch files may come from (${allowed.join(", ")})`,
    {
      where: { stream, line },
      hint: "Have the tap write its batch files under one of them, or add their folder to the batch_roots setting (the target's, or the pipeline's for the runner).",
    },
  );
}

/** A Parquet file's rows as the Arrow IPC stream parquet-wasm decodes them into (the file read whole: one batch, bounded by the tap's rows_per_file). */
export async function parquetFileAsArrow(path: string): Promise<Uint8Array> {
  const { readParquet } = await loadParquetWasm();
  return readParquet(await readFile(path)).intoIPCStream();
}

/** An Arrow (or Parquet) file's records, a chunk at a time (the file itself is read whole: one batch, bounded by the tap's rows_per_file). */
async function* readArrowFile(message: BatchMessage, path: string, line: number, parquet = false): AsyncGenerator<Array<{ [key: string]: unknown }>> {
  let decoded;
  try {
    if (!parquet) await readArrowLayout(path);
    decoded = await decodeArrowBatch(parquet ? await parquetFileAsArrow(path) : await readFile(path));
  } catch (error) {
    throw new FatalError(ProtocolCodes.BATCH_FILE_UNREADABLE, `cannot read batch file as ${parquet ? "Parquet" : "Arrow"}: ${(error as Error).message}`, {
      where: { stream: message.stream, file: path, line },
      cause: error,
    });
  }
  const unknown = decoded.columns.find((column) => column.kind === undefined);
  if (unknown !== undefined) {
    throw new ProtocolError(
      ProtocolCodes.BATCH_ARROW_TYPE,
      `batch file column ${JSON.stringify(unknown.name)} has Arrow type ${unknown.type} (integers, floats, bool, utf8, timestamps and dates are read)`,
      { where: { stream: message.stream, file: path, line } },
    );
  }
  let records: Array<{ [key: string]: unknown }> = [];
  for (const record of decoded.records()) {
    records.push(record);
    if (records.length === ARROW_CHUNK_ROWS) {
      yield records;
      records = [];
    }
  }
  if (records.length > 0) yield records;
}

/** Refuses a batch file holding a column that is not a property of `schema` of a type that fits it. */
function checkColumnsFit(columns: Parameters<typeof unfitColumn>[0], schema: JsonSchema, stream: string, file: string, line: number): void {
  const unfit = unfitColumn(columns, schema);
  if (unfit === undefined) return;
  throw new ProtocolError(
    ProtocolCodes.BATCH_ARROW_TYPE,
    `batch file column ${JSON.stringify(unfit.column.name)} (${unfit.column.type}) is not a property of the stream's SCHEMA of a type that fits it`,
    {
      where: { stream, file, line },
      hint: "The tap's SCHEMA and its batch files disagree; fix the one that is wrong.",
    },
  );
}

/** One Arrow batch file, read whole, its columns checked against the stream's SCHEMA. */
export interface ArrowBatchFile {
  readonly path: string;
  readonly ipc: Uint8Array;
  readonly rows: number;
}

/**
 * The Arrow files of a BATCH message as they are, for a target that writes
 * them columnar: each read whole (one batch, bounded by the tap's
 * rows_per_file), refused when outside `roots`, not an Arrow IPC stream, or
 * when a column is not a property of `schema` of a type that fits it.
 */
export async function* readArrowBatchFiles(message: BatchMessage, line: number, roots: readonly string[], schema: JsonSchema): AsyncGenerator<ArrowBatchFile> {
  for (const uri of message.manifest) {
    const path = localPath(uri, message.stream, line);
    checkBatchPath(path, roots, message.stream, line);
    let ipc: Uint8Array;
    let decoded;
    try {
      // The headers first: a damaged one is named, where decoding would fail with an error of the reader's internals.
      await readArrowLayout(path);
      ipc = await readFile(path);
      decoded = await decodeArrowBatch(ipc);
    } catch (error) {
      throw new FatalError(ProtocolCodes.BATCH_FILE_UNREADABLE, `cannot read batch file as Arrow: ${(error as Error).message}`, {
        where: { stream: message.stream, file: path, line },
        cause: error,
      });
    }
    checkColumnsFit(decoded.columns, schema, message.stream, path, line);
    yield { path, ipc, rows: decoded.rows };
  }
}

/**
 * The Parquet files of a BATCH message, for a target that loads them as
 * they are: each refused when outside `roots`, not a complete Parquet file,
 * or when a column is not a property of `schema` of a type that fits it
 * (read from the footer alone).
 */
export async function* readParquetBatchFiles(
  message: BatchMessage,
  line: number,
  roots: readonly string[],
  schema: JsonSchema,
): AsyncGenerator<{ readonly path: string; readonly rows: number; readonly columns: readonly string[] }> {
  for (const uri of message.manifest) {
    const path = localPath(uri, message.stream, line);
    checkBatchPath(path, roots, message.stream, line);
    let layout;
    try {
      layout = await readParquetLayout(path);
    } catch (error) {
      throw new FatalError(ProtocolCodes.BATCH_FILE_UNREADABLE, `cannot read batch file as Parquet: ${(error as Error).message}`, {
        where: { stream: message.stream, file: path, line },
        cause: error,
      });
    }
    checkColumnsFit(layout.columns, schema, message.stream, path, line);
    yield { path, rows: layout.rows, columns: layout.columns.map((column) => column.name) };
  }
}

/**
 * Reads the records of a BATCH message's files (`jsonl`, optionally gzip,
 * or `arrow`, Arrow IPC streams as SDK taps write them), yielding them a
 * chunk at a time so a large file never sits in memory whole as records.
 * Files outside `roots` are refused, and no error quotes a file's content.
 */
export async function* readBatchFiles(message: BatchMessage, line: number, roots: readonly string[]): AsyncGenerator<Array<{ [key: string]: unknown }>> {
  const { format, compression } = message.encoding;
  if (format === "arrow" || format === "parquet") {
    for (const uri of message.manifest) {
      const path = localPath(uri, message.stream, line);
      checkBatchPath(path, roots, message.stream, line);
      yield* readArrowFile(message, path, line, format === "parquet");
    }
    return;
  }
  if (format !== "jsonl") {
    throw new ProtocolError(
      ProtocolCodes.BATCH_FORMAT_UNSUPPORTED,
      `BATCH format "${format}" is not supported (supported: ${SUPPORTED_BATCH_FORMATS.join(", ")})`,
      {
        where: { stream: message.stream, line },
        hint: "Configure the tap to send RECORD messages, or jsonl, arrow or parquet batches.",
      },
    );
  }
  for (const uri of message.manifest) {
    const path = localPath(uri, message.stream, line);
    checkBatchPath(path, roots, message.stream, line);
    let records: Array<{ [key: string]: unknown }> = [];
    const splitter = new LineSplitter((text, fileLine) => {
      let value: unknown;
      try {
        value = JSON.parse(text);
        if (mayHoldExactNumbers(text) && typeof value === "object" && value !== null && !Array.isArray(value)) value = parseRecordJson(text);
      } catch (error) {
        // The file's content is not quoted: a manifest could name a file that holds secrets.
        throw new ProtocolError(ProtocolCodes.INVALID_JSON, `invalid JSON in batch file (${text.length} bytes on that line)`, {
          where: { file: path, line: fileLine },
          cause: error,
        });
      }
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new ProtocolError(ProtocolCodes.NOT_AN_OBJECT, "batch file line is not a JSON object", { where: { file: path, line: fileLine } });
      }
      records.push(value as { [key: string]: unknown });
    });
    let input: Readable = createReadStream(path);
    // node:zlib loads with the first gzipped batch file: a target reading records starts without it.
    if (compression === "gzip") input = input.pipe(process.getBuiltinModule("node:zlib").createGunzip());
    try {
      for await (const chunk of input) {
        splitter.push(chunk as Buffer);
        if (records.length > 0) {
          yield records;
          records = [];
        }
      }
      splitter.end();
      if (records.length > 0) yield records;
    } catch (error) {
      if (error instanceof AgoraError) throw error.withLocation({ stream: message.stream });
      throw new FatalError(ProtocolCodes.BATCH_FILE_UNREADABLE, `cannot read batch file: ${(error as Error).message}`, {
        where: { stream: message.stream, file: path, line },
        hint: "The tap must write batch files where the target can read them, and keep them until the target is done.",
        cause: error,
      });
    }
  }
}
