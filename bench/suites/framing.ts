import { createInterface } from "node:readline";
import { Readable, Writable } from "node:stream";
import ndjson from "ndjson";
import { LineSplitter, MessageParser, MessageWriter, RecordValidator, parseMessageLine, type Message } from "../../protocol/index.js";
import { BENCH_SCHEMA, benchRecord, messageChunks } from "../data.js";
import { bestOf, rateTable, type Measurement } from "../measure.js";

/** Reads chunks with readline and JSON.parse. */
async function viaReadline(chunks: Buffer[]): Promise<number> {
  let count = 0;
  const lines = createInterface({ input: Readable.from(chunks), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line !== "") {
      JSON.parse(line);
      count += 1;
    }
  }
  return count;
}

/** Reads chunks with the ndjson package's parse stream. */
function viaNdjson(chunks: Buffer[]): Promise<number> {
  return new Promise((resolve, reject) => {
    let count = 0;
    Readable.from(chunks)
      .pipe(ndjson.parse())
      .on("data", () => (count += 1))
      .on("end", () => resolve(count))
      .on("error", reject);
  });
}

/** Our splitter, then JSON.parse: the same work as the two above. */
async function viaOurSplitter(chunks: Buffer[]): Promise<number> {
  let count = 0;
  const splitter = new LineSplitter((line) => {
    JSON.parse(line);
    count += 1;
  });
  for await (const chunk of Readable.from(chunks)) splitter.push(chunk as Buffer);
  splitter.end();
  return count;
}

/** Discards everything, calling back at once: measures the writer alone. */
function nullSink(): Writable {
  return new Writable({ highWaterMark: 1 << 20, write: (_chunk, _encoding, callback) => callback() });
}

export interface FramingResults {
  readonly markdown: string;
  readonly splitters: readonly Measurement[];
  readonly stages: readonly Measurement[];
  readonly ceiling: Measurement;
}

export async function runFramingBench(records: number, runs: number): Promise<FramingResults> {
  const { chunks, lines, bytes } = messageChunks(records);
  const count = lines.length;

  // Sanity: every contender must see every message, or its figure means nothing.
  for (const [name, read] of [
    ["readline", viaReadline],
    ["ndjson", viaNdjson],
    ["ours", viaOurSplitter],
  ] as const) {
    const seen = await read(chunks);
    if (seen !== count) throw new Error(`${name} read ${seen} of ${count} messages`);
  }

  const ceiling = await bestOf("ceiling: bare JSON.parse loop over pre-split lines", runs, count, bytes, () => {
    for (const line of lines) JSON.parse(line);
  });
  const roundTripCeiling = await bestOf("ceiling: bare JSON.parse + JSON.stringify loop", runs, count, bytes, () => {
    for (const line of lines) JSON.stringify(JSON.parse(line));
  });
  const splitters = [
    await bestOf("split + JSON.parse: readline", runs, count, bytes, () => viaReadline(chunks)),
    await bestOf("split + JSON.parse: ndjson package", runs, count, bytes, () => viaNdjson(chunks)),
    await bestOf("split + JSON.parse: our LineSplitter", runs, count, bytes, () => viaOurSplitter(chunks)),
  ];

  const parse = await bestOf("parse: MessageParser (split, JSON, message checks, schema-before-record)", runs, count, bytes, () => {
    const parser = new MessageParser();
    for (const chunk of chunks) parser.push(chunk);
    parser.end();
  });

  const validator = new RecordValidator();
  validator.setSchema("users", BENCH_SCHEMA);
  const records_ = lines.slice(1).map((line) => (parseMessageLine(line, 1).message as { record: unknown }).record);
  const validate = await bestOf("validate: RecordValidator (ajv, compiled once)", runs, count - 1, bytes, () => {
    for (const record of records_) if (validator.validate("users", record) !== undefined) throw new Error("invalid bench record");
  });

  const messages: Message[] = [];
  for (let index = 0; index < records; index += 1) messages.push({ type: "RECORD", stream: "users", record: benchRecord(index) });
  const serialize = await bestOf("serialize: MessageWriter to a pipe-like sink", runs, records, bytes, async () => {
    const writer = new MessageWriter(nullSink());
    for (const message of messages) {
      const wait = writer.write(message);
      if (wait !== undefined) await wait;
    }
    await writer.close();
  });

  const stages = [parse, validate, serialize];
  const markdown = [
    `Input: ${count.toLocaleString("en")} messages (${(bytes / 1e6).toFixed(1)} MB) in 64 KiB chunks; best of ${runs} runs.`,
    "",
    rateTable([ceiling, roundTripCeiling, ...splitters, ...stages], ceiling, "messages"),
  ].join("\n");
  return { markdown, splitters, stages, ceiling };
}
