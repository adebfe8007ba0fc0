import { writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { createLogger, encodeArrowBatch, FatalError, MessageWriter } from "../../../../protocol/index.js";
import { runTargetSync } from "../../../../protocol/sdk/targets/target-sync.js";
import type { StreamInfo, TargetWriter } from "../../../../protocol/sdk/targets/types.js";
import { tempDir } from "../../../helpers/processes.js";

const dir = tempDir("agora-target-sync-");
const SCHEMA = { type: "object", properties: { id: { type: "integer" } } };

/** Messages: a SCHEMA, then per batch an Arrow BATCH of its ids and a STATE naming it. */
async function arrowInput(batches: readonly (readonly number[])[]): Promise<string[]> {
  const lines = [JSON.stringify({ type: "SCHEMA", stream: "items", schema: SCHEMA, key_properties: ["id"] })];
  for (const [index, ids] of batches.entries()) {
    const path = join(dir, `batch-${index}-${ids.join("-")}.arrow`);
    writeFileSync(
      path,
      await encodeArrowBatch(
        [{ name: "id", kind: "int64" }],
        ids.map((id) => ({ id })),
        "items",
      ),
    );
    lines.push(JSON.stringify({ type: "BATCH", stream: "items", encoding: { format: "arrow" }, manifest: [pathToFileURL(path).href] }));
    lines.push(JSON.stringify({ type: "STATE", value: `after ${index}` }));
  }
  return lines.map((line) => `${line}\n`);
}

/** Runs the SDK's target loop on `lines` with `writer`; the lines it wrote (STATE values, dead letters), and its error if it failed. */
async function sync(writer: TargetWriter, lines: readonly string[], deadLetters = false): Promise<{ confirmed: unknown[]; error: unknown }> {
  const out = new PassThrough();
  const text: string[] = [];
  out.on("data", (chunk: Buffer) => text.push(chunk.toString()));
  const options = {
    batchSizeRows: 1000,
    batchWaitMs: 60_000,
    validateRecords: true,
    batchRoots: [dir],
    connector: "test-target",
    deadLetters,
    nativeBatchFormats: ["arrow"],
  };
  let error: unknown;
  await runTargetSync(writer, Readable.from(lines), new MessageWriter(out), createLogger("test-target", "silent"), options).catch(
    (failure: unknown) => (error = failure),
  );
  const confirmed = text
    .join("")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as unknown);
  return { confirmed, error };
}

describe("a target writer's Arrow batches, prepared ahead", () => {
  it("prepares the next batch while the one before it is being written, and hands each write its own prepared bytes", async () => {
    const events: string[] = [];
    let secondPrepared!: () => void;
    const secondPreparing = new Promise<void>((resolve) => (secondPrepared = resolve));
    const writer: TargetWriter = {
      writeBatch: () => undefined,
      prepareArrowBatch(_stream: StreamInfo, ipc: Uint8Array) {
        const marker = events.filter((event) => event.startsWith("prepare")).length;
        events.push(`prepare ${marker}`);
        if (marker === 1) secondPrepared();
        return Uint8Array.of(marker, ipc.length % 256);
      },
      async writeArrowBatch(_stream, ipc, _file, prepared) {
        const marker = prepared?.[0];
        expect(prepared?.[1]).toBe(ipc.length % 256);
        // The first write finishes only once the second batch is being prepared: without preparing ahead this never resolves.
        if (marker === 0) await secondPreparing;
        events.push(`write ${marker}`);
        return 2;
      },
    };
    const { confirmed, error } = await sync(
      writer,
      await arrowInput([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
    );
    expect(error).toBeUndefined();
    expect(confirmed).toEqual(["after 0", "after 1", "after 2"]);
    // Whether the third batch is prepared before or after the second is written depends on when its file is read.
    expect(events.slice(0, 3)).toEqual(["prepare 0", "prepare 1", "write 0"]);
    expect(events.filter((event) => event.startsWith("write"))).toEqual(["write 0", "write 1", "write 2"]);
    expect(events.filter((event) => event.startsWith("prepare"))).toEqual(["prepare 0", "prepare 1", "prepare 2"]);
  });

  it("fails the run on a batch whose preparation fails, after writing and confirming the batches before it", async () => {
    const written: string[] = [];
    let preparations = 0;
    const writer: TargetWriter = {
      writeBatch: () => undefined,
      prepareArrowBatch: () => {
        preparations += 1;
        if (preparations === 2) throw new FatalError("ENCODE_FAILED", "the second batch cannot be encoded");
        return new Uint8Array(0);
      },
      writeArrowBatch(_stream, _ipc, file) {
        written.push(basename(file));
        return 2;
      },
    };
    const { confirmed, error } = await sync(
      writer,
      await arrowInput([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
    );
    expect(error).toBeInstanceOf(FatalError);
    expect((error as FatalError).code).toBe("ENCODE_FAILED");
    expect(written).toEqual(["batch-0-1-2.arrow"]);
    expect(confirmed).toEqual(["after 0"]);
  });
});

describe("a target's damaged Arrow batch", () => {
  it("fails with BATCH_FILE_UNREADABLE naming what is damaged (it said a reader's internal error), after confirming the batch before it", async () => {
    const lines = await arrowInput([[1, 2], [3]]);
    // The second batch's record batch header claims two columns: its schema message, then a record batch of a two-column file.
    const damaged = join(dir, "batch-1-3.arrow");
    const two = Buffer.from(
      await encodeArrowBatch(
        [
          { name: "id", kind: "int64" },
          { name: "sku", kind: "utf8" },
        ],
        [{ id: 3, sku: "a" }],
        "items",
      ),
    );
    const one = Buffer.from(await encodeArrowBatch([{ name: "id", kind: "int64" }], [{ id: 3 }], "items"));
    const schemaEnd = 8 + one.readInt32LE(4);
    const twoSchemaEnd = 8 + two.readInt32LE(4);
    writeFileSync(damaged, Buffer.concat([one.subarray(0, schemaEnd), two.subarray(twoSchemaEnd)]));
    const written: string[] = [];
    const writer: TargetWriter = { writeBatch: () => undefined, writeArrowBatch: (_stream, _ipc, file) => (written.push(basename(file)), 2) };
    const { confirmed, error } = await sync(writer, lines);
    expect(written).toEqual(["batch-0-1-2.arrow"]);
    expect(confirmed).toEqual(["after 0"]);
    expect((error as FatalError).code).toBe("BATCH_FILE_UNREADABLE");
    expect((error as FatalError).message).toContain("is damaged: it describes 2 columns where the schema has 1");
  });
});

describe("a target writer taking records as text", () => {
  it("gets each record's JSON as it came, no objects, and a record it rejects still reaches the dead letter whole", async () => {
    const seen: Array<{ records: number; texts: readonly string[] | undefined; lines: readonly number[] }> = [];
    const writer: TargetWriter = {
      recordsAs: "text",
      writeBatch(batch) {
        for (const { records, texts, lines, reject } of batch) {
          seen.push({ records: records.length, texts, lines });
          reject?.(1, new FatalError("REFUSED", "the second record is refused"));
        }
      },
    };
    const lines = [
      JSON.stringify({ type: "SCHEMA", stream: "items", schema: SCHEMA, key_properties: ["id"] }),
      '{"type": "RECORD", "stream": "items", "record": {"id": 1}}',
      '{"type":"RECORD","stream":"items","record":{"id":2,"__proto__":"kept"}}',
      JSON.stringify({ type: "STATE", value: "done" }),
    ].map((line) => `${line}\n`);
    const { confirmed, error } = await sync(writer, lines, true);
    expect(error).toBeUndefined();
    expect(seen).toEqual([{ records: 0, texts: ['{"id": 1}', '{"id":2,"__proto__":"kept"}'], lines: [2, 3] }]);
    const [deadLetter, state] = confirmed as [Record<string, unknown>, unknown];
    expect(deadLetter).toMatchObject({ type: "DEAD_LETTER", stream: "items", stage: "sink_write", error: { code: "REFUSED" }, location: { line: 3 } });
    expect(JSON.stringify(deadLetter["record"])).toBe('{"id":2,"__proto__":"kept"}');
    expect(state).toBe("done");
  });
});

describe("a target writer taking records encoded", () => {
  const input = [
    JSON.stringify({ type: "SCHEMA", stream: "items", schema: SCHEMA, key_properties: ["id"] }),
    '{"type":"RECORD","stream":"items","record":{"id":1}}',
    '{"type":"RECORD","stream":"items","record":{"id":2,"__proto__":"kept"},"version":7}',
    JSON.stringify({ type: "STATE", value: "done" }),
  ].map((line) => `${line}\n`);

  it("gets each whole RECORD to encode, the encodings in its batch, and a record it rejects reaches the dead letter whole", async () => {
    const seen: Array<{ records: number; texts: readonly string[] | undefined }> = [];
    const writer: TargetWriter = {
      recordsAs: "encoded",
      rejectsRecords: true,
      encodeRecord: (stream, message) => `${stream.name}:${String(message.record["id"])}@${String(message.version)}`,
      writeBatch(batch) {
        for (const { records, texts, reject } of batch) {
          seen.push({ records: records.length, texts });
          reject?.(1, new FatalError("REFUSED", "the second record is refused"));
        }
      },
    };
    const { confirmed, error } = await sync(writer, input, true);
    expect(error).toBeUndefined();
    expect(seen).toEqual([{ records: 0, texts: ["items:1@undefined", "items:2@7"] }]);
    const [deadLetter, state] = confirmed as [Record<string, unknown>, unknown];
    expect(deadLetter).toMatchObject({ type: "DEAD_LETTER", stream: "items", error: { code: "REFUSED" }, location: { line: 3 } });
    expect(JSON.stringify(deadLetter["record"])).toBe('{"id":2,"__proto__":"kept"}');
    expect(state).toBe("done");
  });

  it("has no reject to offer without dead letters, nor under them unless it says it rejects records", async () => {
    for (const [rejectsRecords, deadLetters] of [
      [true, false],
      [false, true],
    ] as const) {
      let offered: unknown = "not called";
      const writer: TargetWriter = { recordsAs: "encoded", rejectsRecords, encodeRecord: () => "x", writeBatch: (batch) => void (offered = batch[0]?.reject) };
      const { confirmed, error } = await sync(writer, input, deadLetters);
      expect(error).toBeUndefined();
      expect(offered).toBeUndefined();
      expect(confirmed).toEqual(["done"]);
    }
  });

  it("is refused with a coded error when the writer has no encodeRecord (a JavaScript writer: the types forbid it)", async () => {
    const { error } = await sync({ recordsAs: "encoded", writeBatch: () => undefined } as unknown as TargetWriter, input);
    expect(error).toBeInstanceOf(FatalError);
    expect((error as FatalError).code).toBe("ENCODE_RECORD_MISSING");
  });
});
