import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { sampleParquetTap } from "../../helpers/parquet.js";
import { writeProject, type ConnectorSpec, type PipelineSpec } from "../../helpers/pipeline-project.js";
import { agora, CLASSIC_TARGET_PY } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";
import { runSucceeds } from "../../helpers/in-process-run.js";

const root = tempDir("agora-arrow-middleware-");

/** tap-parquet writing Arrow batch files (row groups of 40) of a 100-row file, into the project's batches folder. */
function arrowProject(
  name: string,
  middleware: ReadonlyArray<Record<string, unknown>>,
  targets: readonly string[] = ["lake"],
  settings: Record<string, unknown> = {},
): { dir: string; expected: Array<Record<string, unknown>> } {
  const dir = join(root, name);
  const source = join(root, `${name}.parquet`);
  const { tap, expected } = sampleParquetTap(source, { rows: 100, rowGroupSize: 40 }, "arrow", join(dir, "batches"));
  writeProject(dir, {
    connectors: {
      sales: tap,
      lake: { command: "target-parquet", config: { destination_path: "lake" } },
      classic: { command: `python3 ${CLASSIC_TARGET_PY}`, config: { destination: "out-classic" } },
    },
    pipelines: { sales: { tap: "sales", targets, middleware, ...settings } },
  });
  return { dir, expected };
}

async function parquetRows(path: string): Promise<{ rows: Array<Record<string, unknown>>; columns: string[] }> {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  const rows = (await parquetReadObjects({ file })).map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([key, value]) => [key, typeof value === "bigint" ? Number(value) : value instanceof Date ? value.toISOString() : value]),
    ),
  );
  return { rows, columns: metadata.schema.slice(1).map((element) => element.name) };
}

describe("middleware on the Arrow plane", () => {
  it("select, rename and rename_stream work on Arrow batches columnar: an Arrow-native target gets batches, a Python Singer target the same rows as records", async () => {
    const { dir, expected } = arrowProject(
      "columnar",
      [
        { type: "select", fields: ["name", "score", "at"] },
        { type: "rename", fields: { name: "full_name", at: "sold_at" } },
        { type: "rename_stream", from: "sales", to: "sales_clean" },
      ],
      ["lake", "classic"],
    );
    const log = await runSucceeds(dir, "sales");
    expect(log).toContain("batches: lake 3 native (100 rows), classic 3 as records (100 rows)");
    const wanted = expected.map((row) => ({ id: row["id"], full_name: row["name"], score: row["score"], sold_at: row["at"] }));
    const lake = await parquetRows(join(dir, "lake", "sales_clean.parquet"));
    expect(lake.columns).toEqual(["id", "full_name", "score", "sold_at"]);
    expect(lake.rows).toEqual(wanted);
    const classic = readFileSync(join(dir, "out-classic", "sales_clean.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as unknown);
    expect(classic).toEqual(wanted);
    // Confirmed by both: the tap's files and the ones the middleware wrote are gone.
    expect(readdirSync(join(dir, "batches"))).toEqual([]);

    const explained = await agora(dir, ["explain", "sales", "--json"]);
    const plan = JSON.parse(explained.stdout) as { middleware: unknown; lane: string };
    expect(plan.middleware).toEqual([
      { step: "select", planes: ["rows", "arrow"] },
      { step: "rename", planes: ["rows", "arrow"] },
      { step: "rename_stream", planes: ["rows", "arrow"] },
    ]);
    expect(plan.lane).toBe("batches");
  });

  it("filter, mask and hash on Arrow batches give exactly what they give on rows", async () => {
    const steps = [
      { type: "filter", where: "flag and score > 5" },
      { type: "mask", fields: ["name"], keep_last: 3 },
      { type: "hash", fields: ["big"], salt: "pepper" },
    ];
    const { dir, expected } = arrowProject("protect", steps, ["lake", "classic"]);
    const arrowRun = await runSucceeds(dir, "sales");
    expect(arrowRun).toContain("batches: lake 3 native");
    // The same records on the RECORD lane: the tap without batch_config, into target-jsonl.
    const source = join(root, "protect.parquet");
    const project = parse(readFileSync(join(dir, "pipelines.toml"), "utf8")) as {
      connectors: Record<string, ConnectorSpec>;
      pipelines: Record<string, PipelineSpec>;
    };
    writeProject(dir, {
      connectors: {
        ...project.connectors,
        rows_tap: { command: "tap-parquet", config: { files: [{ path: source, stream: "sales", key_properties: ["id"] }] } },
        rows_out: { command: "target-jsonl", config: { destination_path: "out-rows" } },
      },
      pipelines: { ...project.pipelines, rows: { tap: "rows_tap", targets: ["rows_out"], middleware: steps } },
    });
    await runSucceeds(dir, "rows");
    const onRows = readFileSync(join(dir, "out-rows", "sales.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(onRows.map((row) => row["id"])).toEqual(expected.filter((row) => row["flag"] === true && (row["score"] as number) > 5).map((row) => row["id"]));
    expect(onRows[0]?.["name"]).toMatch(/^\*\*\*\*.{3}$/);
    expect(onRows[0]?.["big"]).toMatch(/^[0-9a-f]{64}$/);
    const lake = await parquetRows(join(dir, "lake", "sales.parquet"));
    expect(lake.rows).toEqual(onRows);
    const classic = readFileSync(join(dir, "out-classic", "sales.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as unknown);
    expect(classic).toEqual(onRows);
  });

  it("a module's transformArrow works on each Arrow batch", async () => {
    const { dir, expected } = arrowProject("module", [{ type: "module", path: "evens.mjs" }]);
    // An Arrow-only step: keeps the rows of even ids, columnar.
    writeFileSync(
      join(dir, "evens.mjs"),
      `export async function transformArrow(table) {
  const ids = table.getChild("id");
  const keep = [];
  for (let row = 0; row < table.numRows; row += 1) if (Number(ids.get(row)) % 2 === 0) keep.push(row);
  const { Table, vectorFromArray } = await import("${join(process.cwd(), "node_modules", "apache-arrow", "Arrow.node.mjs")}");
  const columns = {};
  for (const field of table.schema.fields) columns[field.name] = vectorFromArray(keep.map((row) => table.getChild(field.name).get(row)), field.type);
  return new Table(columns);
}
`,
    );
    await runSucceeds(dir, "sales");
    const lake = await parquetRows(join(dir, "lake", "sales.parquet"));
    expect(lake.rows.map((row) => row["id"])).toEqual(expected.map((row) => row["id"] as number).filter((id) => id % 2 === 0));
  });

  it("an Arrow batch a step fails on becomes one dead letter naming the tap's files, which are kept for its replay; the others are delivered", async () => {
    const { dir, expected } = arrowProject("failing", [{ type: "module", path: "picky.mjs" }], ["lake"], { on_error: "dlq" });
    // Fails the batch holding id 50 (rows 41–80 of three batches of 40, 40 and 20).
    writeFileSync(
      join(dir, "picky.mjs"),
      `export function transformArrow(table) {
  const ids = table.getChild("id");
  for (let row = 0; row < table.numRows; row += 1) if (Number(ids.get(row)) === 50) throw new Error("fifty is refused");
  return table;
}
`,
    );
    await runSucceeds(dir, "sales");
    const lake = await parquetRows(join(dir, "lake", "sales.parquet"));
    expect(lake.rows.map((row) => row["id"])).toEqual(expected.map((row) => row["id"] as number).filter((id) => id <= 40 || id > 80));
    const dead = JSON.parse((await agora(dir, ["--json", "dlq", "list", "sales"])).stdout) as Array<{ errorMessage: string; raw: string }>;
    expect(dead).toHaveLength(1);
    expect(dead[0]?.errorMessage).toContain("fifty is refused");
    const batch = JSON.parse(dead[0]?.raw ?? "{}") as { type: string; manifest: string[] };
    expect(batch.type).toBe("BATCH");
    // The tap's file of that batch is still there; the files of delivered batches are gone, and no half-written output is left.
    const left = readdirSync(join(dir, "batches"));
    expect(left).toHaveLength(1);
    expect(batch.manifest[0]).toContain(left[0]);
    expect(left[0]).not.toContain(".agora.arrow");
  });

  it("a chain mixing an Arrow-only step with a row-only one fails before the tap starts, naming both", async () => {
    const { dir } = arrowProject("mixed", [
      { type: "module", path: "arrow-only.mjs" },
      { type: "add_fields", fields: { source: "lake" } },
    ]);
    writeFileSync(join(dir, "arrow-only.mjs"), "export const transformArrow = (table) => table;\n");
    // The tap would leave its batch folder behind: it must never start.
    const result = await agora(dir, ["run", "sales"]);
    expect(result.exitCode).not.toBe(0);
    // The run's summary, and the one line saying why.
    expect(result.stderr.trim().split("\n"), result.stderr).toHaveLength(2);
    expect(result.stderr).toContain("pipeline sales failed in");
    expect(result.stderr).toContain(
      "the middleware chain mixes planes: middleware[0] module works on Arrow batches only, middleware[1] add_fields on rows only",
    );
    expect(result.stderr).toContain("[MIDDLEWARE_PLANES_MIXED]");
    expect(existsSync(join(dir, "batches"))).toBe(false);
    expect(existsSync(join(dir, "lake"))).toBe(false);
  });
});
