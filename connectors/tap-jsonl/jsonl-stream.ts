import { SchemaInferrer } from "../../catalogs/index.js";
import {
  BadRowHandler,
  bookmarked,
  DataError,
  fileIdentity,
  mapRows,
  savedPosition,
  type Bookmarked,
  type FileIdentity,
  type JsonSchema,
  type RejectedRow,
  type StreamItem,
  type TapStream,
  withNewProperties,
} from "../../protocol/tap.js";
import type { JsonlConfig, JsonlFile } from "./config.js";
import { readJsonlLines, type JsonlLine } from "./jsonl-lines.js";
import { TapJsonlCodes } from "./codes.js";

/** The bookmark of a JSON Lines stream: the last line consumed, in which file. */
interface JsonlBookmark {
  readonly path: string;
  readonly line: number;
  /** The file as it was when reading started: a rewritten file is read from the start next time. */
  readonly file: FileIdentity;
}

async function inferSchema(file: JsonlFile, sampleSize: number, maxLineBytes: number): Promise<Record<string, unknown>> {
  const inferrer = new SchemaInferrer({ mode: "json", keyFields: file.keyProperties });
  sampling: for await (const lines of readJsonlLines(file.path, 0, maxLineBytes)) {
    for (const line of lines) {
      if (!line.ok) continue;
      inferrer.observe(line.record);
      if (inferrer.sampleSize >= sampleSize) break sampling;
    }
  }
  return inferrer.toSchema();
}

/**
 * A stream of one JSON Lines file, resumable by line. With a known schema (a
 * sync's catalog) the sample is still read, so properties the file gained
 * since the catalog was made are announced too; the catalog's types win.
 */
export async function jsonlStream(file: JsonlFile, config: JsonlConfig, knownSchema?: JsonSchema): Promise<TapStream<JsonlConfig>> {
  const sampled = await inferSchema(file, config.sample_size, config.max_line_bytes);
  const schema = knownSchema === undefined ? sampled : withNewProperties(knownSchema, sampled);
  return {
    name: file.stream,
    schema,
    keyProperties: file.keyProperties,
    resumable: true,
    async *records({ bookmark, logger }): AsyncGenerator<StreamItem> {
      const identity = fileIdentity(file.path);
      const after = savedPosition(bookmark, file.path, "line", (message) => logger.warn(`stream ${file.stream}: ${message}`), identity, config.on_file_change);
      const badRows = new BadRowHandler(config.on_bad_row, logger, file.stream);
      const toItem = (line: JsonlLine): Bookmarked | RejectedRow | undefined => {
        const position: JsonlBookmark = { path: file.path, line: line.line, file: identity };
        // The line is the record's JSON already: the SDK writes it as it is.
        if (line.ok) return bookmarked(line.record, position, line.text);
        const error = new DataError(TapJsonlCodes.JSONL_BAD_LINE, line.reason, {
          where: { stream: file.stream, file: file.path, line: line.line },
          hint: 'Fix the line, or set "on_bad_row" to skip or dlq.',
        });
        return badRows.handle(error, { raw: line.raw, bookmark: position });
      };
      for await (const lines of readJsonlLines(file.path, after, config.max_line_bytes)) {
        const { items, error } = mapRows(lines, toItem);
        // Under the "fail" policy the lines before the bad one are still emitted; then the error stops the stream.
        if (items.length > 0) yield items;
        if (error !== undefined) throw error;
      }
      badRows.summarize();
    },
  };
}
