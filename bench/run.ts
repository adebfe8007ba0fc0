/**
 * `npm run bench`: runs the benchmark suites and writes bench/RESULTS.md.
 * Options: --quick (small inputs, for a smoke run), --records N.
 */
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { runFramingBench } from "./suites/framing.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const recordsFlag = args.indexOf("--records");
const records = recordsFlag >= 0 ? Number(args[recordsFlag + 1]) : quick ? 20_000 : 500_000;
const runs = quick ? 1 : 3;

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
const header = [
  "# Benchmark results",
  "",
  `- date: ${new Date().toISOString()}`,
  `- machine: ${machine}`,
  `- node: ${process.version}`,
  `- command: npm run bench${args.length > 0 ? ` -- ${args.join(" ")}` : ""}`,
  "",
].join("\n");

process.stderr.write(`framing: ${records.toLocaleString("en")} records…\n`);
const framing = await runFramingBench(records, runs);

const report = [header, "## Framing (protocol/)", "", framing.markdown, ""].join("\n");
process.stdout.write(`${report}\n`);
if (!quick) {
  const path = fileURLToPath(new URL("../../bench/RESULTS.md", import.meta.url));
  writeFileSync(path, report);
  process.stderr.write(`written to ${path}\n`);
}
