#!/usr/bin/env node
/**
 * Runs a Node module as a batch_process worker: reads request frames on
 * stdin (batch-frames.ts), calls the module's `transformBatch(records,
 * { stream })` (rows) or `transformArrowBatch(table, { stream })` (an
 * apache-arrow Table), and writes each answer as a frame on stdout. A throw
 * answers that batch with an error frame.
 */
import { pathToFileURL } from "node:url";
import { FrameReader, frame } from "./batch-frames.js";
import { mayHoldExactNumbers, parseJsonExact, stringifyJson } from "../../../protocol/index.js";

interface BatchModule {
  transformBatch?: (records: unknown[], context: { stream: string }) => unknown[] | Promise<unknown[]>;
  transformArrowBatch?: (
    table: import("apache-arrow").Table,
    context: { stream: string },
  ) => import("apache-arrow").Table | Promise<import("apache-arrow").Table>;
}

const path = process.argv[2];
if (path === undefined) {
  process.stderr.write("usage: node-batch-worker MODULE\n");
  process.exit(2);
}
const module = (await import(pathToFileURL(path).href)) as BatchModule;
const write = (parts: Buffer[]): void => {
  for (const part of parts) process.stdout.write(part);
};

let queue: Promise<void> = Promise.resolve();
const reader = new FrameReader((header, payload) => {
  const request = header as unknown as { id: number; stream: string; format: "jsonl" | "arrow" };
  // One batch at a time, in the order they came.
  queue = queue.then(async () => {
    try {
      if (request.format === "arrow") {
        if (module.transformArrowBatch === undefined) throw new Error("the module exports no transformArrowBatch(table, context)");
        const { tableFromIPC, tableToIPC } = await import("apache-arrow");
        const result = await module.transformArrowBatch(tableFromIPC(payload), { stream: request.stream });
        const bytes = tableToIPC(result, "stream");
        write(frame({ id: request.id, format: "arrow", bytes: bytes.byteLength }, bytes));
        return;
      }
      if (module.transformBatch === undefined) throw new Error("the module exports no transformBatch(records, context)");
      const records = payload
        .toString("utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => (mayHoldExactNumbers(line) ? parseJsonExact(line) : JSON.parse(line)) as unknown);
      const result = await module.transformBatch(records, { stream: request.stream });
      const text = Buffer.from(result.map((record) => `${stringifyJson(record ?? null)}\n`).join(""));
      write(frame({ id: request.id, format: "jsonl", bytes: text.byteLength }, text));
    } catch (error) {
      write([Buffer.from(`${JSON.stringify({ id: request.id, error: error instanceof Error ? error.message : String(error) })}\n`)]);
    }
  });
});
process.stdin.on("data", (chunk: Buffer) => reader.push(chunk));
process.stdin.on("end", () => void queue.then(() => process.exit(0)));
