/**
 * What any connector written in Node costs at least: reads a CSV file in
 * 64 KiB pieces, splits it into lines and (naively, at every comma) cells,
 * and writes each row as a RECORD line to stdout, waiting while the pipe is
 * full. No library, no types, no validation. The connectors suite measures
 * it beside them: its peak RSS is Node's floor for a process that streams.
 * Usage: node dist/bench/node-floor.js FILE.csv
 */
import { createReadStream } from "node:fs";

let rest = "";
let header: string[] | undefined;
for await (const chunk of createReadStream(process.argv[2] as string, { encoding: "utf8", highWaterMark: 64 * 1024 })) {
  const lines = (rest + chunk).split("\n");
  rest = lines.pop() ?? "";
  const out: string[] = [];
  for (const line of lines) {
    const cells = line.split(",");
    if (header === undefined) header = cells;
    else out.push(JSON.stringify({ type: "RECORD", stream: "users", record: Object.fromEntries(header.map((name, index) => [name, cells[index]])) }));
  }
  if (!process.stdout.write(`${out.join("\n")}\n`)) await new Promise((resolve) => process.stdout.once("drain", resolve));
}
