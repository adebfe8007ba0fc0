import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchInputs } from "../files.js";
import { formatRate } from "../measure.js";
import { measureProcess, type ProcessRun } from "../process-stats.js";

export interface ConnectorCase {
  /** The connector run (dist/connectors/NAME/bin.js), or the label of a case with a script of its own. */
  readonly connector: string;
  /** What the results call the case when it is not the connector's name alone. */
  readonly label?: string;
  readonly kind: "tap" | "target";
  /** The input file this case reads (tap) or is fed on stdin (target). */
  readonly input: "csv" | "jsonl" | "parquet" | "parquet1m" | "messages";
  readonly config: (files: Record<string, string>, work: string) => Record<string, unknown>;
  /** Another script than the connector's (under dist), run with the input file's path as its one argument, not a config. */
  readonly script?: string;
}

/** What the results call a case: its label, else its connector's name. */
function caseName(item: ConnectorCase): string {
  return item.label ?? item.connector;
}

/** The label of Node's floor: a bare streaming loop (bench/node-floor.ts), measured beside the connectors. */
export const NODE_FLOOR = "Node's floor (bare loop)";

export const CONNECTOR_CASES: readonly ConnectorCase[] = [
  { connector: "tap-csv", kind: "tap", input: "csv", config: (files) => ({ files: [{ path: files["csv"], stream: "users", key_properties: ["id"] }] }) },
  { connector: "tap-jsonl", kind: "tap", input: "jsonl", config: (files) => ({ files: [{ path: files["jsonl"], stream: "users", key_properties: ["id"] }] }) },
  {
    connector: "tap-parquet",
    kind: "tap",
    input: "parquet",
    config: (files) => ({ files: [{ path: files["parquet"], stream: "users", key_properties: ["id"] }] }),
  },
  {
    connector: "tap-parquet",
    label: "tap-parquet, 1M-row groups",
    kind: "tap",
    input: "parquet1m",
    config: (files) => ({ files: [{ path: files["parquet1m"], stream: "users", key_properties: ["id"] }] }),
  },
  { connector: NODE_FLOOR, kind: "tap", input: "csv", script: "bench/node-floor.js", config: () => ({}) },
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
    const kinds = ["csv", "jsonl", "parquet", "parquet1m", "messages"] as const;
    const made = await Promise.all(kinds.map((kind) => inputs.get(kind, rows)));
    const files = Object.fromEntries(kinds.map((kind, index) => [kind, made[index]?.path ?? ""]));
    const sizesOf = Object.fromEntries(kinds.map((kind, index) => [kind, made[index]?.bytes ?? 0]));
    for (const [index, item] of cases.entries()) {
      const name = caseName(item);
      const config = join(work, `case-${index}.json`);
      writeFileSync(config, JSON.stringify(item.config(files, work)));
      process.stderr.write(`connectors: ${name}, ${rows.toLocaleString("en")} rows…\n`);
      const script = join(root, "dist", ...(item.script === undefined ? ["connectors", item.connector, "bin.js"] : item.script.split("/")));
      const args = item.script === undefined ? ["--config", config] : [files[item.input] ?? ""];
      const run = await measureProcess(script, args, item.kind === "target" ? files[item.input] : undefined);
      if (run.exitCode !== 0) throw new Error(`${name} failed: ${run.stderr}`);
      results.push({ connector: name, rows, inputBytes: sizesOf[item.input] ?? 0, run });
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
      const name = caseName(item);
      const at = (size: number | undefined): number => results.find((row) => row.connector === name && row.rows === size)?.run.peakRssBytes ?? Number.NaN;
      lines.push(`- ${name}: ${(at(large) / at(small)).toFixed(2)}×`);
    }
  }
  if ("reason" in postgres) lines.push("", `target-postgres is not measured: ${postgres.reason}.`);
  return { markdown: lines.join("\n"), rows: results };
}
