import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { DataError, MessageWriter } from "../../../../protocol/index.js";
import { syncStream } from "../../../../protocol/sdk/tap/sync-stream.js";
import { TapBookmarks } from "../../../../protocol/sdk/tap/tap-bookmarks.js";
import { bookmarked, RejectedRow, RowBatch, type StreamItem, type TapStream } from "../../../../protocol/sdk/tap/types.js";

/** Syncs one stream into memory; returns the messages written, without time_extracted. */
async function sync(stream: TapStream, options: { projection?: Record<string, true>; stateEvery?: number; abortAfter?: number; state?: unknown } = {}) {
  const sink = new PassThrough();
  let text = "";
  sink.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const output = new MessageWriter(sink);
  const controller = new AbortController();
  const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as never;
  let seen = 0;
  if (options.abortAfter !== undefined) {
    sink.on("data", () => undefined);
    const write = output.writeLine.bind(output);
    output.writeLine = (line: string) => {
      if (line.includes('"RECORD"') && ++seen >= (options.abortAfter as number)) controller.abort();
      return write(line);
    };
  }
  const result = await syncStream(
    { stream, schema: stream.schema, projection: options.projection, fullTable: false, newProperties: [] },
    { config: {}, logger },
    { output, bookmarks: new TapBookmarks(options.state), stateEveryRecords: options.stateEvery ?? 1000, signal: controller.signal },
  );
  await output.close();
  const messages = text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .map(({ time_extracted: _time, ...message }) => message);
  return { result, messages, lines: text.trim().split("\n") };
}

function rowStream(batches: StreamItem[], extra: Partial<TapStream> = {}): TapStream {
  return {
    name: "t",
    schema: { type: "object", properties: { id: { type: "integer" }, name: { type: "string" } } },
    columns: ["id", "name"],
    resumable: true,
    records: () => batches,
    ...extra,
  };
}

const rejected = (row: number) =>
  new RejectedRow(new DataError("BAD", `row ${row} is bad`, { where: { stream: "t" } }), { raw: `raw ${row}`, bookmark: { row } });

describe("syncStream with RowBatches", () => {
  it("writes each row as its record, STATEs carrying the bookmark of the last row written before them", async () => {
    const batch = new RowBatch([[1, "a"], [2, "b"], rejected(3), [4, "d"], [5, "e"]], (index) => ({ row: [1, 2, 3, 4, 5][index] }));
    const { messages } = await sync(rowStream([batch, new RowBatch([[6, "f"]], () => ({ row: 6 }))]), { stateEvery: 2 });
    expect(messages.filter((message) => message["type"] !== "SCHEMA")).toEqual([
      { type: "RECORD", stream: "t", record: { id: 1, name: "a" } },
      { type: "RECORD", stream: "t", record: { id: 2, name: "b" } },
      { type: "STATE", value: { bookmarks: { t: { row: 2 } } } },
      { type: "DEAD_LETTER", stream: "t", stage: "source", raw: "raw 3", error: { code: "BAD", message: "row 3 is bad" } },
      { type: "RECORD", stream: "t", record: { id: 4, name: "d" } },
      { type: "RECORD", stream: "t", record: { id: 5, name: "e" } },
      { type: "STATE", value: { bookmarks: { t: { row: 5 } } } },
      { type: "RECORD", stream: "t", record: { id: 6, name: "f" } },
      { type: "STATE", value: { bookmarks: { t: { row: 6 } } } },
    ]);
  });

  it("stops mid-batch on a stop request with the bookmark of the last row written", async () => {
    const batch = new RowBatch(
      [
        [1, "a"],
        [2, "b"],
        [3, "c"],
      ],
      (index) => ({ row: index + 1 }),
    );
    const { result, messages } = await sync(rowStream([batch]), { abortAfter: 2 });
    expect(result).toEqual({ records: 2, stopped: true });
    expect(messages.at(-1)).toEqual({ type: "STATE", value: { bookmarks: { t: { row: 2 } } } });
  });

  it("drops deselected columns and keeps the largest replication key value", async () => {
    const batch = new RowBatch([
      [3, "c"],
      [9, "i"],
      [4, "d"],
    ]);
    const { messages } = await sync(rowStream([batch], { replicationKey: "id", resumable: false }), { projection: { id: true } });
    expect(messages.filter((message) => message["type"] === "RECORD").map((message) => message["record"])).toEqual([{ id: 3 }, { id: 9 }, { id: 4 }]);
    expect(messages.at(-1)).toEqual({ type: "STATE", value: { bookmarks: { t: { replication_key: "id", replication_key_value: 9 } } } });
  });

  it("fails clearly when a stream yields rows without naming its columns", async () => {
    const { columns: _columns, ...withoutColumns } = rowStream([new RowBatch([[1, "a"]])]);
    await expect(sync(withoutColumns)).rejects.toThrow("stream t yields a RowBatch but declares no columns");
  });
});

describe("syncStream with a record's own JSON", () => {
  it("writes the text as it is, unless properties are deselected", async () => {
    const stream: TapStream = {
      name: "t",
      schema: { type: "object" },
      records: () => [bookmarked({ id: 1, big: 1 }, undefined, '{"id":1,  "big":12345678901234567890}')],
    };
    expect((await sync(stream)).lines[1]).toContain('"record":{"id":1,  "big":12345678901234567890}');
    expect((await sync(stream, { projection: { id: true } })).lines[1]).toContain('"record":{"id":1}');
  });
});
