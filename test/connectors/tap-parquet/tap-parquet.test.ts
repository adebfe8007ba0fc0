import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parquetWriteFile } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { decodeArrowBatch } from "../../../protocol/index.js";
import { recordsOf, statesOf, writeIn, writeJsonIn } from "../../helpers/files.js";
import { writeSampleParquet } from "../../helpers/parquet.js";
import { connectorBin, jsonLines, runNode, tempDir } from "../../helpers/processes.js";

const tap = connectorBin("tap-parquet");
const dir = tempDir();
const file = join(dir, "sales.parquet");
const expected = writeSampleParquet(file, { rows: 250, rowGroupSize: 40 });

async function sync(config: Record<string, unknown>, extra: string[] = []) {
  const result = await runNode(tap, ["--config", writeJsonIn(dir, `c-${Math.random()}.json`, config), ...extra]);
  return { ...result, messages: result.stdout === "" || extra.includes("--discover") ? [] : jsonLines(result.stdout) };
}

describe("tap-parquet", () => {
  it("takes types from the Parquet schema", async () => {
    const result = await sync({ files: [{ path: file, key_properties: ["id"] }] }, ["--discover"]);
    const [stream] = (JSON.parse(result.stdout) as { streams: Array<{ schema: { properties: unknown } }> }).streams;
    expect(stream?.schema.properties).toEqual({
      id: { type: "integer" },
      name: { type: ["null", "string"] },
      score: { type: ["null", "number"] },
      flag: { type: ["null", "boolean"] },
      at: { type: ["null", "string"], format: "date-time" },
      big: { type: ["null", "integer"] },
    });
  });

  it("emits every row of every row group, value for value", async () => {
    const result = await sync({ files: [{ path: file, key_properties: ["id"] }] });
    expect(result.exitCode).toBe(0);
    expect(recordsOf(result.messages)).toEqual(expected);
  });

  it("keeps columns whose names are data: __proto__, constructor, and names differing only in case", async () => {
    const hostile = join(dir, "hostile.parquet");
    parquetWriteFile({
      filename: hostile,
      columnData: [
        { name: "id", data: [1n, 2n], type: "INT64", nullable: false },
        { name: "__proto__", data: ["a", "b"], type: "STRING" },
        { name: "constructor", data: ["c", "d"], type: "STRING" },
        { name: "Name", data: ["x", "y"], type: "STRING" },
        { name: "name", data: ["p", "q"], type: "STRING" },
      ],
    });
    const result = await sync({ files: [{ path: hostile, stream: "hostile", key_properties: ["id"] }] });
    expect(result.exitCode, result.stderr).toBe(0);
    // Computed keys: a literal "__proto__" key would set the prototype instead.
    expect(recordsOf(result.messages)).toEqual([
      { id: 1, ["__proto__"]: "a", constructor: "c", Name: "x", name: "p" },
      { id: 2, ["__proto__"]: "b", constructor: "d", Name: "y", name: "q" },
    ]);
    expect(recordsOf(result.messages).map((record) => Object.keys(record))).toEqual([
      ["id", "__proto__", "constructor", "Name", "name"],
      ["id", "__proto__", "constructor", "Name", "name"],
    ]);
  });

  it("decodes only the selected columns", async () => {
    const catalog = JSON.parse((await sync({ files: [{ path: file }] }, ["--discover"])).stdout) as {
      streams: Array<{ metadata: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }> }>;
    };
    for (const entry of catalog.streams[0]!.metadata) if (["name", "at", "big"].includes(entry.breadcrumb[1] ?? "")) entry.metadata["selected"] = false;
    const result = await sync({ files: [{ path: file }] }, ["--catalog", writeJsonIn(dir, "cat.json", catalog)]);
    expect(recordsOf(result.messages)[0]).toEqual({ id: 1, score: 0.5, flag: false });
  });

  it("resumes after the first STATE with exactly the remaining rows, across row groups", async () => {
    const config = { files: [{ path: file }], state_every_records: 55 };
    const full = await sync(config);
    const [firstState] = statesOf(full.messages);
    expect(firstState).toEqual({ bookmarks: { sales: { path: file, row: 55 } } });
    const resumed = await sync(config, ["--state", writeJsonIn(dir, "state.json", firstState)]);
    expect(recordsOf(resumed.messages)).toEqual(expected.slice(55));
  });

  it("names a file that is not Parquet", async () => {
    const notParquet = writeIn(dir, "fake.parquet", "id,name\n1,a\n");
    const result = await sync({ files: [{ path: notParquet }] });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`tap-parquet, ${notParquet}: not a readable Parquet file .* \\[PARQUET_INVALID\\]`));
  });
});

describe("tap-parquet with Arrow batch files", () => {
  const batchRecords = async (messages: Array<Record<string, unknown>>): Promise<Array<Record<string, unknown>>> => {
    const rows: Array<Record<string, unknown>> = [];
    for (const message of messages.filter((item) => item["type"] === "BATCH")) {
      for (const uri of message["manifest"] as string[]) rows.push(...(await decodeArrowBatch(readFileSync(fileURLToPath(uri)))).records());
    }
    return rows;
  };

  it("writes each row group as one Arrow batch (no record built), a STATE after each, holding the same values as its records", async () => {
    const root = join(dir, "arrow-batches");
    const result = await sync({ files: [{ path: file, stream: "sales", key_properties: ["id"] }], batch_config: { format: "arrow", root, rows_per_file: 40 } });
    expect(result.exitCode, result.stderr).toBe(0);
    // 250 rows in row groups of 40, 40 rows per file: seven batches, each followed by the STATE after its last row.
    const kinds = result.messages.filter((message) => message["type"] !== "SCHEMA").map((message) => message["type"]);
    expect(kinds.slice(0, 14)).toEqual(Array.from({ length: 7 }, () => ["BATCH", "STATE"]).flat());
    expect(statesOf(result.messages)[0]).toEqual({ bookmarks: { sales: { path: file, row: 40 } } });
    expect(await batchRecords(result.messages)).toEqual(expected);
    // The row group as parquet-wasm decoded it: Arrow's own types, where records would have made the timestamp text.
    const first = (result.messages.find((message) => message["type"] === "BATCH")?.["manifest"] as string[])[0] as string;
    const { columns } = await decodeArrowBatch(readFileSync(fileURLToPath(first)));
    expect(Object.fromEntries(columns.map((column) => [column.name, column.kind]))).toEqual({
      id: "int64",
      name: "utf8",
      score: "float64",
      flag: "bool",
      at: "timestamp",
      big: "int64",
    });
  });

  it("resumes after the saved row, and decodes only the selected columns", async () => {
    const catalog = JSON.parse((await sync({ files: [{ path: file, stream: "sales" }] }, ["--discover"])).stdout) as {
      streams: Array<{ metadata: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }> }>;
    };
    for (const entry of catalog.streams[0]!.metadata) if (["name", "at"].includes(entry.breadcrumb[1] ?? "")) entry.metadata["selected"] = false;
    const state = writeJsonIn(dir, "arrow-state.json", { bookmarks: { sales: { path: file, row: 100 } } });
    const result = await sync({ files: [{ path: file, stream: "sales" }], batch_config: { format: "arrow", root: join(dir, "arrow-resumed") } }, [
      "--catalog",
      writeJsonIn(dir, "arrow-cat.json", catalog),
      "--state",
      state,
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await batchRecords(result.messages)).toEqual(expected.slice(100).map(({ name: _name, at: _at, ...rest }) => rest));
  });

  it("puts consecutive row groups in one batch while it stays within rows_per_file, and resumes mid-batch at the saved row", async () => {
    const rowsOf = async (messages: Array<Record<string, unknown>>): Promise<number[]> => {
      const counts: number[] = [];
      for (const message of messages.filter((item) => item["type"] === "BATCH")) {
        let rows = 0;
        for (const uri of message["manifest"] as string[]) rows += (await decodeArrowBatch(readFileSync(fileURLToPath(uri)))).rows;
        counts.push(rows);
      }
      return counts;
    };
    const config = { files: [{ path: file, stream: "sales" }], batch_config: { format: "arrow", root: join(dir, "arrow-grouped"), rows_per_file: 100 } };
    const whole = await sync(config);
    expect(whole.exitCode, whole.stderr).toBe(0);
    // Groups of 40 rows: two fit in 100, a third would not; the last group, of 10 rows, joins the two before it.
    expect(await rowsOf(whole.messages)).toEqual([80, 80, 90]);
    // A STATE after each batch (and the stream's last one).
    expect(statesOf(whole.messages).map((state) => (state as { bookmarks: { sales: { row: number } } }).bookmarks.sales.row)).toEqual([80, 160, 250, 250]);
    expect(await batchRecords(whole.messages)).toEqual(expected);

    // From row 100 (20 rows into the third group): 20 + 40 + 40 rows, then the last 50.
    const state = writeJsonIn(dir, "arrow-grouped-state.json", { bookmarks: { sales: { path: file, row: 100 } } });
    const resumed = await sync(config, ["--state", state]);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(await rowsOf(resumed.messages)).toEqual([100, 50]);
    expect(await batchRecords(resumed.messages)).toEqual(expected.slice(100));
  });
});
