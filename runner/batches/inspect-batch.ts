import { createReadStream, statSync } from "node:fs";
import type { Readable } from "node:stream";
import {
  ArrowLayoutError,
  checkBatchPath,
  DataError,
  describeProperty,
  unfitColumn,
  readArrowLayout,
  readParquetLayout,
  manifestPath,
  type AgoraError,
  type BatchMessage,
  type JsonSchema,
  type RecordValidator,
} from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";

/** The batch formats the runner reads (to check them, and to expand them into RECORDs). */
export const RUNNER_BATCH_FORMATS: readonly string[] = ["jsonl", "arrow", "parquet"];

export interface InspectedFile {
  readonly path: string;
  readonly rows: number;
}

export interface InspectedBatch {
  readonly files: readonly InspectedFile[];
  readonly rows: number;
}

function batchError(message: BatchMessage, file: string | undefined, what: string, hint: string, cause?: unknown): AgoraError {
  return new DataError(RunnerCodes.BATCH_INVALID, `${file === undefined ? "BATCH" : "BATCH file"} ${what}`, {
    where: { stream: message.stream, ...(file === undefined ? {} : { file }) },
    hint,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Checks a BATCH message's files once each, before anything of it is sent:
 * each must exist and be of the declared format (jsonl, gzip if declared,
 * complete: ending with a line break, its first record matching the
 * SCHEMA; or an Arrow IPC stream, complete, whose columns are properties of
 * the stream's SCHEMA of the types it gives them), so a file of another
 * stream is refused here, not row by row. Counts the rows. No error quotes
 * a file's content. A file outside `roots` (its real path, links resolved)
 * is refused before it is opened.
 */
export async function inspectBatch(
  message: BatchMessage,
  validator: RecordValidator | undefined,
  schema: JsonSchema | undefined,
  roots: readonly string[],
): Promise<InspectedBatch> {
  const { format, compression } = message.encoding;
  if (!RUNNER_BATCH_FORMATS.includes(format)) {
    throw batchError(
      message,
      undefined,
      `has format "${format}", which the runner does not read (it reads ${RUNNER_BATCH_FORMATS.join(", ")})`,
      "Configure the tap to write jsonl batch files, or RECORD messages.",
    );
  }
  if ((format === "arrow" || format === "parquet") && compression !== undefined && compression !== "none") {
    throw batchError(
      message,
      undefined,
      `is ${format === "arrow" ? "Arrow" : "Parquet"} with compression "${compression}" (${format === "arrow" ? "Arrow batch files are read uncompressed" : "Parquet files compress their own column chunks"})`,
      "Configure the tap without compression for this format, or gzip jsonl.",
    );
  }
  if (compression !== undefined && compression !== "gzip" && compression !== "none") {
    throw batchError(
      message,
      undefined,
      `has compression "${compression}" (gzip or none are read)`,
      "Configure the tap to write gzip or uncompressed batch files.",
    );
  }
  if (message.manifest.length === 0) throw batchError(message, undefined, "has an empty manifest", "A BATCH message must name at least one file.");
  const files: InspectedFile[] = [];
  for (const uri of message.manifest) {
    const path = manifestPath(uri);
    if (path === undefined)
      throw batchError(message, uri, "is not a local file (file: URI or path)", "The runner reads batch files on this machine's file system.");
    // Before anything reads it (and the ledger later removes it): only files under the pipeline's batch_roots, links resolved.
    try {
      checkBatchPath(path, roots, message.stream, 0);
    } catch (error) {
      throw batchError(
        message,
        path,
        `is outside the folders batch files may come from (${roots.join(", ")})`,
        "Have the tap write its batch files under one of them, or add their folder to the pipeline's batch_roots.",
        error,
      );
    }
    try {
      if (!statSync(path).isFile()) throw new Error("not a file");
    } catch (error) {
      throw batchError(message, path, "is missing", "The tap must keep its batch files until the runner has read them; a resumed run sends them again.", error);
    }
    files.push({
      path,
      rows: format === "jsonl" ? await inspectFile(message, path, compression === "gzip", validator) : await inspectColumnarFile(message, path, format, schema),
    });
  }
  return { files, rows: files.reduce((sum, file) => sum + file.rows, 0) };
}

/** Reads one jsonl file through: its rows counted, its end checked, its first line parsed and validated. */
async function inspectFile(message: BatchMessage, path: string, gzip: boolean, validator: RecordValidator | undefined): Promise<number> {
  let input: Readable = createReadStream(path);
  // node:zlib loads with the first gzipped batch file: a run of records starts without it.
  if (gzip) input = input.pipe(process.getBuiltinModule("node:zlib").createGunzip());
  let rows = 0;
  let first: Buffer | undefined;
  let tail: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      let from = 0;
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) {
        const line = from === 0 ? Buffer.concat([tail, chunk.subarray(0, at)]) : chunk.subarray(from, at);
        if (line.length > 0) {
          rows += 1;
          first ??= Buffer.from(line);
        }
        from = at + 1;
      }
      tail = from === 0 ? Buffer.concat([tail, chunk]) : Buffer.from(chunk.subarray(from));
    }
  } catch (error) {
    throw batchError(
      message,
      path,
      gzip ? "is not a complete gzip file" : "cannot be read",
      "The file may be truncated (the tap stopped while writing it) or of another format than the BATCH declares.",
      error,
    );
  }
  if (tail.length > 0)
    throw batchError(
      message,
      path,
      `ends in the middle of a line (row ${rows + 1} is incomplete)`,
      "The file is truncated: the tap must announce a batch file only once it is complete.",
    );
  if (first === undefined) return 0;
  let record: unknown;
  try {
    record = JSON.parse(first.toString("utf8"));
  } catch (error) {
    throw batchError(
      message,
      path,
      `is not jsonl (its first line is not JSON)`,
      `The BATCH says ${gzip ? "gzip-compressed " : ""}jsonl; check the tap's batch format and compression.`,
      error,
    );
  }
  if (typeof record !== "object" || record === null || Array.isArray(record))
    throw batchError(message, path, "is not jsonl of records (its first line is not a JSON object)", "Each line of a jsonl batch file is one record.");
  const invalid = validator?.validate(message.stream, record as Record<string, unknown>, 1);
  if (invalid !== undefined) {
    const error = batchError(
      message,
      path,
      `does not match the stream's SCHEMA (first row: ${invalid.message})`,
      "The file may belong to another stream, or the tap's SCHEMA is out of date.",
      invalid,
    );
    throw new DataError(RunnerCodes.BATCH_ROW_INVALID, error.message, {
      where: error.where,
      ...(error.hint === undefined ? {} : { hint: error.hint }),
      cause: invalid,
    });
  }
  return rows;
}

/**
 * One Arrow or Parquet file, from its headers alone (no body is read): an
 * Arrow IPC stream or a Parquet file, complete, its columns properties of
 * the SCHEMA of types that fit them. The types are the check: such a file
 * carries its schema, so no row is decoded here.
 */
async function inspectColumnarFile(message: BatchMessage, path: string, format: string, schema: JsonSchema | undefined): Promise<number> {
  let layout;
  try {
    layout = format === "arrow" ? await readArrowLayout(path) : await readParquetLayout(path);
  } catch (error) {
    throw batchError(
      message,
      path,
      format === "arrow"
        ? `is not a readable Arrow IPC stream: ${error instanceof ArrowLayoutError ? error.message : "truncated, or of another format"}`
        : "is not a Parquet file (truncated, or of another format)",
      `The BATCH says ${format}; check the tap's batch format, and that it finished writing the file.`,
      error,
    );
  }
  const unfit = unfitColumn(layout.columns, schema);
  if (unfit !== undefined) {
    const { column } = unfit;
    const name = JSON.stringify(column.name);
    if (unfit.why === "unreadable")
      throw batchError(
        message,
        path,
        `has column ${name} of type ${column.type} (integers, floats, bool, utf8, timestamps and dates are read)`,
        "Write the column as one of those types.",
      );
    if (unfit.why === "absent")
      throw batchError(
        message,
        path,
        `has column ${name}, which the stream's SCHEMA does not have`,
        "The file may belong to another stream, or the tap's SCHEMA is out of date.",
      );
    const property = ((schema?.["properties"] ?? {}) as Record<string, JsonSchema>)[column.name];
    throw batchError(
      message,
      path,
      `has column ${name} as ${column.kind ?? column.type}, where the stream's SCHEMA makes it ${describeProperty(property)}`,
      "The tap's SCHEMA and its batch files disagree; fix the one that is wrong.",
    );
  }
  return layout.rows;
}
