import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { MessageWriter, ProtocolCodes, type AgoraError, type Message } from "../../../protocol/index.js";

/** A slow sink: accepts a chunk, then calls back after a delay, with a small buffer. */
function slowSink(received: string[], delayMs: number, highWaterMark: number): Writable {
  return new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, callback) {
      received.push(chunk.toString());
      setTimeout(callback, delayMs);
    },
  });
}

const record = (id: number): Message => ({ type: "RECORD", stream: "s", record: { id, pad: "x".repeat(200) } });

describe("MessageWriter", () => {
  it("returns a promise when the stream is full and resolves it on drain", async () => {
    const received: string[] = [];
    const sink = slowSink(received, 5, 1024);
    const writer = new MessageWriter(sink, { bufferSize: 512 });
    let waits = 0;
    for (let id = 0; id < 200; id += 1) {
      const wait = writer.write(record(id));
      if (wait !== undefined) {
        waits += 1;
        await wait;
      }
      // Backpressure holds: never much more than the stream's buffer waits in memory.
      expect(sink.writableLength).toBeLessThanOrEqual(1024 + 1024);
    }
    await writer.close();
    expect(waits).toBeGreaterThan(5);
    const ids = received
      .join("")
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { record: { id: number } }).record.id);
    expect(ids).toEqual([...Array(200).keys()]);
  });

  it("gathers the lines of one tick into a single write", async () => {
    const received: string[] = [];
    const writer = new MessageWriter(slowSink(received, 0, 1 << 20));
    for (let id = 0; id < 50; id += 1) expect(writer.write(record(id))).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    expect(received).toHaveLength(1);
    await writer.close();
  });

  it("reports a closed reader as OUTPUT_CLOSED instead of crashing", async () => {
    const sink = new Writable({
      write(_chunk, _encoding, callback) {
        const error = Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
        callback(error);
      },
    });
    const writer = new MessageWriter(sink);
    writer.write(record(1));
    await expect(writer.close()).rejects.toMatchObject({ code: ProtocolCodes.OUTPUT_CLOSED });
    expect(() => writer.write(record(2))).toThrowError(expect.objectContaining({ code: ProtocolCodes.OUTPUT_CLOSED }) as AgoraError);
  });
});
