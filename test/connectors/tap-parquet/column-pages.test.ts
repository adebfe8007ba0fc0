import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead } from "hyparquet";
import { parquetWriteFile } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { groupColumnSources } from "../../../connectors/tap-parquet/column-pages.js";
import { recordsOf, statesOf, writeJsonIn } from "../../helpers/files.js";
import { connectorBin, jsonLines, runNode, tempDir } from "../../helpers/processes.js";

/*
 * tap-parquet decodes a row group a page at a time (connectors/tap-parquet/column-pages.ts). Its
 * columns' pages end at different rows, so a record is made from pages of different spans; these
 * tests hold it to every value, wherever the page boundaries fall, and to resuming inside a page.
 */

const tap = connectorBin("tap-parquet");
const dir = tempDir("agora-parquet-pages-");

/** The row counts of the pages hyparquet's own reader hands over for a column of the file's first row group. */
async function pageRows(path: string, column: string): Promise<number[]> {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  const pages: number[] = [];
  await parquetRead({
    file,
    metadata,
    columns: [column],
    rowEnd: Number(metadata.row_groups[0]?.num_rows),
    onPage: (page) => pages.push(page.columnData.length),
  });
  return pages;
}

/** The lengths of the pages `groupColumnSources` holds for `column` while the first row group's rows are asked for in turn, and the values it gives. */
async function heldPages(path: string, column: string): Promise<{ lengths: number[]; values: unknown[] }> {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  const rows = Number(metadata.row_groups[0]?.num_rows);
  const source = (await groupColumnSources({ file, metadata, path, group: 0, groupStart: 0, rowStart: 0 }, [column])).get(column);
  const held = new Set<ArrayLike<unknown>>();
  const values: unknown[] = [];
  for (let row = 0; row < rows; row += 1) {
    const decoded = source?.valuesAt(row);
    if (decoded !== undefined) held.add(decoded.values);
    values.push(decoded?.values[row - (decoded?.start ?? 0)]);
  }
  return { lengths: [...held].map((page) => page.length), values };
}

describe("tap-parquet's row groups, a page at a time", () => {
  const rows = 3000;
  const file = join(dir, "pages.parquet");
  const ids = Array.from({ length: rows }, (_, index) => BigInt(index) * 3n);
  const names = ids.map((id) => (id % 7n === 0n ? null : `name ${id}${"x".repeat(Number(id % 13n))}`));
  const cities = ids.map((id) => ["Lyon", "Tōkyō", null, "Oslo"][Number(id % 4n)] ?? null);
  const flags = ids.map((id) => id % 5n === 0n);
  const scores = ids.map((id) => (id % 11n === 0n ? null : Number(id) / 4));
  const tags = ids.map((id) => (id % 6n === 0n ? null : Array.from({ length: Number(id % 4n) }, (_, index) => `t${id}-${index}`)));
  parquetWriteFile({
    filename: file,
    rowGroupSize: rows,
    // Pages of about 256 bytes: each column's cut at its own rows.
    pageSize: 256,
    schema: [
      { name: "root", num_children: 6 },
      { name: "id", type: "INT64", repetition_type: "REQUIRED" },
      { name: "name", type: "BYTE_ARRAY", repetition_type: "OPTIONAL", converted_type: "UTF8" },
      { name: "city", type: "BYTE_ARRAY", repetition_type: "OPTIONAL", converted_type: "UTF8" },
      { name: "flag", type: "BOOLEAN", repetition_type: "OPTIONAL" },
      { name: "score", type: "DOUBLE", repetition_type: "OPTIONAL" },
      { name: "tags", repetition_type: "OPTIONAL", num_children: 1, converted_type: "LIST" },
      { name: "list", repetition_type: "REPEATED", num_children: 1 },
      { name: "element", type: "BYTE_ARRAY", repetition_type: "REQUIRED", converted_type: "UTF8" },
    ],
    columnData: [
      { name: "id", data: ids },
      { name: "name", data: names },
      { name: "city", data: cities },
      { name: "flag", data: flags },
      { name: "score", data: scores },
      { name: "tags", data: tags },
    ],
  });
  const expected = ids.map((id, index) => ({
    id: Number(id),
    name: names[index],
    city: cities[index],
    flag: flags[index],
    score: scores[index],
    tags: tags[index],
  }));

  it("holds one page of a column at a time, never the group", async () => {
    // A required column's pages, as hyparquet's own reader cuts them (it joins a nullable column's pages).
    const idPages = await pageRows(file, "id");
    expect(idPages.length).toBeGreaterThan(10);
    const id = await heldPages(file, "id");
    expect(id.lengths).toEqual(idPages);
    expect(id.values).toEqual(ids);
    for (const [name, written] of [
      ["name", names],
      ["city", cities],
      ["flag", flags],
      ["score", scores],
    ] as const) {
      const column = await heldPages(file, name);
      expect(column.values, name).toEqual(written);
      // Pages of their own, cut at other rows than the ids'.
      expect(column.lengths.length, name).toBeGreaterThan(1);
      expect(column.lengths, name).not.toEqual(idPages);
    }
  });

  it("sends every row of a group cut into pages, value for value, and resumes inside a page", async () => {
    const full = await runNode(tap, ["--config", writeJsonIn(dir, "pages.json", { files: [{ path: file, stream: "p" }], state_every_records: 1001 })]);
    expect(full.exitCode, full.stderr).toBe(0);
    const messages = jsonLines(full.stdout) as Array<Record<string, unknown>>;
    expect(recordsOf(messages)).toEqual(expected);
    const [first] = statesOf(messages);
    expect(first).toEqual({ bookmarks: { p: { path: file, row: 1001 } } });
    const resumed = await runNode(tap, ["--config", join(dir, "pages.json"), "--state", writeJsonIn(dir, "pages-state.json", first)]);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(recordsOf(jsonLines(resumed.stdout) as Array<Record<string, unknown>>)).toEqual(expected.slice(1001));
  });

  it("gives what DuckDB reads from the same file, lists beside paged columns", async () => {
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll(
        `SELECT id::INTEGER AS id, name, city, flag, score, to_json(tags)::VARCHAR AS tags FROM read_parquet('${file}') ORDER BY id`,
      );
      const read = reader.getRowObjectsJS() as Array<Record<string, unknown>>;
      const result = await runNode(tap, ["--config", writeJsonIn(dir, "duck.json", { files: [{ path: file, stream: "t" }] })]);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(recordsOf(jsonLines(result.stdout) as Array<Record<string, unknown>>)).toEqual(
        read.map((row) => ({ ...row, tags: row["tags"] === null ? null : (JSON.parse(row["tags"] as string) as unknown) })),
      );
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
