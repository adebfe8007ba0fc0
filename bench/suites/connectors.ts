import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchInputs } from "../files.js";
import { formatRate } from "../measure.js";
import { measureProcess, type ProcessRun } from "../process-stats.js";

export interface ConnectorCase {
  readonly connector: string;
  readonly kind: "tap" | "target";
  /** The input file this case reads (tap) or is fed on stdin (target). */
  readonly input: "csv" | "jsonl" | "parquet" | "messages";
  readonly config: (files: Record<string, string>, work: string) => Record<string, unknown>;
}

export const CONNECTOR_CASES: readonly ConnectorCase[] = [
  { connector: "tap-csv", kind: "tap", input: "csv", config: (files) => ({ files: [{ path: files["csv"], stream: "users", key_properties: ["id"] }] }) },
  { connector: "tap-jsonl", kind: "tap", input: "jsonl", config: (files) => ({ files: [{ path: files["jsonl"], stream: "users", key_properties: ["id"] }] }) },
  {
    connector: "tap-parquet",
    kind: "tap",
    input: "parquet",
    config: (files) => ({ files: [{ path: files["parquet"], stream: "users", key_properties: ["id"] }] }),
  },
  { connector: "target-jsonl", kind: "target", input: "messages", config: (_files, work) => ({ destination_path: join(work, "out-jsonl") }) },
  { connector: "target-csv", kind: "target", input: "messages", config: (_files, work) => ({ destination_path: join(work, "out-csv") }) },
  { connector: "target-sqlite", kind: "target", input: "messages", config: (_files, work) => ({ database: join(work, "out.db") }) },
];

interface Row {
  readonly connector: string;
  readonly rows: number;
  readonly inputBytes: number;
  readonly run: ProcessRun;
}

export interface ConnectorResults {
  readonly markdown: string;
  readonly rows: readonly Row[];
}

/** The run of `connector` at `rows`, if the suite measured it. */
export function runOf(results: ConnectorResults | undefined, connector: string, rows: number): ProcessRun | undefined {
  return results?.rows.find((row) => row.connector === connector && row.rows === rows)?.run;
}

/** target-postgres, into a schema of its own per size (so each size inserts, not upserts), when a server runs. */
function postgresCase(url: string): ConnectorCase {
  return { connector: "target-postgres", kind: "target", input: "messages", config: (_files, work) => ({ url, schema: `bench_${work.length}_${Date.now()}` }) };
}

/**
 * Each tap and target alone, as a process, on generated inputs of each
 * size; target-postgres too when `postgresUrl` names a server (else a line
 * says why it is missing).
 */
export async function runConnectorBench(
  root: string,
  sizes: readonly number[],
  work: string,
  inputs: BenchInputs,
  postgres: { url: string } | { reason: string },
): Promise<ConnectorResults> {
  const cases = "url" in postgres ? [...CONNECTOR_CASES, postgresCase(postgres.url)] : CONNECTOR_CASES;
  const results: Row[] = [];
  for (const rows of sizes) {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    process.stderr.write(`connectors: generating ${rows.toLocaleString("en")} rows…\n`);
    // Asked for together: they are written side by side.
    const [csv, jsonl, parquet, messages] = await Promise.all([
      inputs.get("csv", rows),
      inputs.get("jsonl", rows),
      inputs.get("parquet", rows),
      inputs.get("messages", rows),
    ]);
    const made = { csv, jsonl, parquet, messages };
    const files = { csv: made.csv.path, jsonl: made.jsonl.path, parquet: made.parquet.path, messages: made.messages.path };
    const sizesOf: Record<string, number> = { csv: made.csv.bytes, jsonl: made.jsonl.bytes, parquet: made.parquet.bytes, messages: made.messages.bytes };
    for (const item of cases) {
      const config = join(work, `${item.connector}.json`);
      writeFileSync(config, JSON.stringify(item.config(files, work)));
      process.stderr.write(`connectors: ${item.connector}, ${rows.toLocaleString("en")} rows…\n`);
      const script = join(root, "dist", "connectors", item.connector, "bin.js");
      const run = await measureProcess(script, ["--config", config], item.kind === "target" ? files[item.input] : undefined);
      if (run.exitCode !== 0) throw new Error(`${item.connector} failed: ${run.stderr}`);
      results.push({ connector: item.connector, rows, inputBytes: sizesOf[item.input] ?? 0, run });
    }
  }
  rmSync(work, { recursive: true, force: true });

  const lines = ["| connector | rows | seconds | rows/s | input MB/s | peak RSS MB |", "| --- | ---: | ---: | ---: | ---: | ---: |"];
  for (const row of results) {
    lines.push(
      `| ${row.connector} | ${row.rows.toLocaleString("en")} | ${row.run.seconds.toFixed(1)} | ${formatRate(row.rows / row.run.seconds)} | ${(row.inputBytes / 1e6 / row.run.seconds).toFixed(1)} | ${(row.run.peakRssBytes / 2 ** 20).toFixed(0)} |`,
    );
  }
  if (sizes.length >= 2) {
    const [small, large] = [sizes[0], sizes.at(-1)];
    lines.push("", `Peak RSS at ${large?.toLocaleString("en")} rows ÷ at ${small?.toLocaleString("en")} rows (flat means ≈ 1):`, "");
    for (const item of cases) {
      const at = (size: number | undefined): number =>
        results.find((row) => row.connector === item.connector && row.rows === size)?.run.peakRssBytes ?? Number.NaN;
      lines.push(`- ${item.connector}: ${(at(large) / at(small)).toFixed(2)}×`);
    }
  }
  if ("reason" in postgres) lines.push("", `target-postgres is not measured: ${postgres.reason}.`);
  return { markdown: lines.join("\n"), rows: results };
}
