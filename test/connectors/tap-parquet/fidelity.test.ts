import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { decimalParts, decodeArrowBatch, isExactNumber, parseJsonExact, readBatchFiles, type BatchMessage } from "../../../protocol/index.js";
import { writeInt96Parquet, writeLegacyListParquet } from "../../helpers/parquet.js";
import { writeJsonIn } from "../../helpers/files.js";
import { connectorBin, jsonLines, runNode, tempDir } from "../../helpers/processes.js";

/*
 * Parquet files written by DuckDB (not by us) in every codec the format defines, with the values
 * readers get wrong: int64 extremes, unsigned 64-bit, bytes that are not UTF-8, NaN and ±Infinity,
 * micro- and nanosecond timestamps, a 38-digit decimal, a small decimal, a leap day. tap-parquet's
 * RECORD lane must give, cell by cell, what DuckDB reads from the same file.
 */

const tap = connectorBin("tap-parquet");
const dir = tempDir("agora-parquet-fidelity-");
const CODECS = ["uncompressed", "snappy", "gzip", "zstd", "brotli", "lz4"];

const ROWS = `
  (1, 9007199254740993::BIGINT, 18446744073709551615::UBIGINT, 1.5::DOUBLE, '\\xFF\\x00\\x01'::BLOB, 'ünï', TIMESTAMP '2024-05-06 07:08:09.123456', TIMESTAMP_NS '2024-05-06 07:08:09.123456789', '12345678901234567890123456789.123456789'::DECIMAL(38,9), -1.05::DECIMAL(4,2), DATE '2024-02-29'),
  (2, (-9223372036854775807 - 1)::BIGINT, 0::UBIGINT, 'NaN'::DOUBLE, ''::BLOB, '', TIMESTAMP '1970-01-01 00:00:00', TIMESTAMP_NS '1969-12-31 23:59:59.999999999', '-0.000000001'::DECIMAL(38,9), 0::DECIMAL(4,2), DATE '0001-01-01'),
  (3, 9223372036854775807::BIGINT, NULL, 'inf'::DOUBLE, NULL, NULL, TIMESTAMP '9999-12-31 23:59:59.999999', NULL, NULL, NULL, DATE '9999-12-31'),
  (4, NULL, 1::UBIGINT, '-inf'::DOUBLE, 'plain'::BLOB, 'x', NULL, NULL, '99999999999999999999999999999.999999999'::DECIMAL(38,9), 99.99::DECIMAL(4,2), NULL)`;
const COLUMNS = "id, i64, u64, d, b, s, ts, tsns, big, small, day";

/** What DuckDB itself reads from the file, every cell as text (null as null; NaN and ±Infinity as JSON writes them: null). */
const DUCKDB_TEXT = `SELECT id::VARCHAR AS id, i64::VARCHAR AS i64, u64::VARCHAR AS u64,
  CASE WHEN isnan(d) OR isinf(d) THEN NULL ELSE d::VARCHAR END AS d, to_base64(b) AS b, s,
  strftime(ts, '%Y-%m-%dT%H:%M:%S.%fZ') AS ts, replace(tsns::VARCHAR, ' ', 'T') || 'Z' AS tsns,
  big::VARCHAR AS big, small::VARCHAR AS small, day::VARCHAR AS day`;

type Row = Record<string, string | null>;

async function duckdb(sql: string): Promise<Row[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const rows = (await connection.runAndReadAll(sql)).getRowObjectsJS();
    return rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, value === null ? null : String(value)])));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const NUMERIC = new Set(["i64", "u64", "d", "big", "small"]);

/** A number's text as its decimal value (`-1e-9`, `-0.000000001` alike), so two spellings of one value compare equal. */
function decimalValue(text: string): string {
  const { negative, digits, exponent } = decimalParts(text);
  return `${negative && digits !== "" ? "-" : ""}${digits}e${exponent}`;
}

/** A record's cells as text, numbers exactly as the tap wrote them, numeric columns by decimal value. */
function cellsOf(record: Record<string, unknown>): Row {
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => {
      if (value === null || value === undefined) return [key, null];
      if (typeof value === "number" && !Number.isFinite(value)) return [key, String(value)];
      const text = isExactNumber(value) ? value.text : String(value);
      return [key, NUMERIC.has(key) ? decimalValue(text) : text];
    }),
  );
}

describe("tap-parquet reads what DuckDB wrote, exactly, in every codec", () => {
  it.each(CODECS)("%s", async (codec) => {
    const file = join(dir, `${codec}.parquet`);
    await duckdb(`COPY (SELECT * FROM (VALUES ${ROWS}) t(${COLUMNS})) TO '${file}' (FORMAT parquet, COMPRESSION ${codec})`);
    const expected = (await duckdb(`${DUCKDB_TEXT} FROM read_parquet('${file}') ORDER BY id`)).map((row) =>
      Object.fromEntries(Object.entries(row).map(([key, text]) => [key, text !== null && NUMERIC.has(key) ? decimalValue(text) : text])),
    );

    const result = await runNode(tap, ["--config", writeJsonIn(dir, `${codec}.json`, { files: [{ path: file, stream: "t" }] })]);
    expect(result.exitCode, result.stderr).toBe(0);
    const records = result.stdout
      .split("\n")
      .filter((line) => line.includes('"RECORD"'))
      .map((line) => (parseJsonExact(line) as { record: Record<string, unknown> }).record);
    expect(records.map(cellsOf)).toEqual(expected);
    // NaN and ±Infinity are null, and said so: never silently.
    expect(result.stderr).toContain('stream t: column d: 3 NaN or ±Infinity value(s) written as null (set non_finite_numbers = "bad_row"');
  });

  it.each([
    ["every column (binary and decimals: the batch files take records, an unsigned 64-bit id takes jsonl)", COLUMNS],
    ["the columns Arrow carries as they are (decoded natively)", "id, i64, d, s, ts, tsns, day"],
  ])("gives in each batch lane, read back by the SDK's reader, what DuckDB reads: %s", async (_what, columns) => {
    const file = join(dir, `lanes-${columns.length}.parquet`);
    await duckdb(`COPY (SELECT ${columns} FROM (VALUES ${ROWS}) t(${COLUMNS})) TO '${file}' (FORMAT parquet)`);
    const wanted = (await duckdb(`SELECT ${columns} FROM (${DUCKDB_TEXT} FROM (SELECT * FROM (VALUES ${ROWS}) t(${COLUMNS}))) ORDER BY id`)).map((row) =>
      Object.fromEntries(Object.entries(row).map(([key, text]) => [key, text !== null && NUMERIC.has(key) ? decimalValue(text) : text])),
    );
    for (const format of ["jsonl", "arrow", "parquet"] as const) {
      const root = join(dir, `lanes-${columns.length}-${format}`);
      const result = await runNode(tap, [
        "--config",
        writeJsonIn(dir, `lanes-${columns.length}-${format}.json`, { files: [{ path: file, stream: "t" }], batch_config: { format, root } }),
      ]);
      expect(result.exitCode, result.stderr).toBe(0);
      const rows: Array<Record<string, unknown>> = [];
      for (const line of result.stdout.split("\n").filter((text) => text.includes('"BATCH"'))) {
        for await (const chunk of readBatchFiles(JSON.parse(line) as BatchMessage, 1, [root])) rows.push(...chunk);
      }
      // Arrow and Parquet batches decoded natively hold NaN and ±Infinity as the file does (a record's JSON cannot:
      // the RECORD lane writes null and says so, and a target validating records refuses them as numbers).
      const native = columns !== COLUMNS && format !== "jsonl";
      const nonFinite: Record<string, string> = { "2": "NaN", "3": "Infinity", "4": "-Infinity" };
      expect(rows.map(cellsOf), format).toEqual(native ? wanted.map((row) => ({ ...row, d: nonFinite[row["id"] as string] ?? row["d"] })) : wanted);
    }
  });

  it.each([
    // DuckDB reads these two the same way.
    ["two-level", { type: ["null", "array"], items: { type: "string" } }, [["x", "y"], [], null], true],
    ["bare-repeated", { type: "array", items: { type: "string" } }, [["x", "y"], [], []], true],
    // By the format's rules the one-field group named "array" is the element (DuckDB gives its field instead).
    [
      "array-group",
      { type: ["null", "array"], items: { type: "object", properties: { str: { type: "string" } } } },
      [[{ str: "x" }, { str: "y" }], [], null],
      false,
    ],
    // DuckDB refuses a MAP without values; each key maps to null.
    ["map-without-values", { type: ["null", "object"], additionalProperties: { type: "null" } }, [{ x: null, y: null }, {}, null], false],
  ] as const)("reads a legacy %s encoding by the format's backward-compatibility rules", async (shape, schema, values, asDuckdb) => {
    const file = join(dir, `legacy-${shape}.parquet`);
    writeLegacyListParquet(file, shape);
    const result = await runNode(tap, ["--config", writeJsonIn(dir, `legacy-${shape}.json`, { files: [{ path: file, stream: "t" }] })]);
    expect(result.exitCode, result.stderr).toBe(0);
    const messages = jsonLines(result.stdout) as Array<{ type: string; schema?: { properties: Record<string, unknown> }; record?: Record<string, unknown> }>;
    expect(messages.find((message) => message.type === "SCHEMA")?.schema?.properties["v"]).toEqual(schema);
    const records = messages.filter((message) => message.type === "RECORD").map((message) => message.record);
    expect(records).toEqual(values.map((v, index) => ({ id: index + 1, v })));
    if (asDuckdb) {
      const read = await duckdb(`SELECT to_json(v)::VARCHAR AS v FROM read_parquet('${file}') ORDER BY id`);
      expect(read.map((row) => (row["v"] === null || row["v"] === undefined ? null : (JSON.parse(row["v"]) as unknown)))).toEqual(values);
    }
  });

  it("makes a row holding NaN a bad row when asked, naming file, row and column", async () => {
    const file = join(dir, "zstd.parquet");
    const result = await runNode(tap, ["--config", writeJsonIn(dir, "nan-bad.json", { files: [{ path: file, stream: "t" }], non_finite_numbers: "bad_row" })]);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr.trim()).toBe(
      `tap-parquet error: tap-parquet, stream t, ${file}, line 2: column d holds NaN, which JSON cannot write. Set "non_finite_numbers" to "null" to write such values as null (counted in the summary). [PARQUET_NOT_A_NUMBER]`,
    );
  });

  it("declares the columns as what they hold: integers, numbers, base64 bytes, date-times, dates", async () => {
    const result = await runNode(tap, [
      "--config",
      writeJsonIn(dir, "discover.json", { files: [{ path: join(dir, "zstd.parquet"), stream: "t" }] }),
      "--discover",
    ]);
    const properties = (JSON.parse(result.stdout) as { streams: Array<{ schema: { properties: Record<string, unknown> } }> }).streams[0]?.schema.properties;
    expect(properties).toMatchObject({
      i64: { type: ["null", "integer"] },
      u64: { type: ["null", "integer"] },
      b: { type: ["null", "string"], contentEncoding: "base64" },
      ts: { type: ["null", "string"], format: "date-time" },
      tsns: { type: ["null", "string"], format: "date-time" },
      big: { type: ["null", "number"] },
      day: { type: ["null", "string"], format: "date" },
    });
  });

  it("says in one line which file, row group and column a damaged file cannot be read at", async () => {
    const good = readFileSync(join(dir, "zstd.parquet"));
    const truncated = join(dir, "truncated.parquet");
    writeFileSync(truncated, good.subarray(0, Math.floor(good.length / 2)));
    const cut = await runNode(tap, ["--config", writeJsonIn(dir, "truncated.json", { files: [{ path: truncated, stream: "t" }] })]);
    expect(cut.exitCode).not.toBe(0);
    expect(cut.stderr.trim()).toMatch(
      new RegExp(
        `^tap-parquet error: tap-parquet, ${truncated}: not a readable Parquet file \\(.*\\)\\. Check that the file is Parquet and not truncated\\. \\[PARQUET_INVALID\\]$`,
      ),
    );
    const garbled = join(dir, "garbled.parquet");
    writeFileSync(garbled, Buffer.concat([good.subarray(0, 8), Buffer.alloc(120, 0xab), good.subarray(128)]));
    const bad = await runNode(tap, ["--config", writeJsonIn(dir, "garbled.json", { files: [{ path: garbled, stream: "t" }] })]);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(new RegExp(`stream t, ${garbled}: row group 1, column id, cannot be read \\(.+\\)\\. .*\\[PARQUET_DAMAGED\\]`));
  });

  it("reads INT96 timestamps to the nanosecond and past 2262, the same in the RECORD lane and in every batch lane", async () => {
    const file = join(dir, "int96.parquet");
    writeInt96Parquet(file);
    const expected = [
      { id: 1, ts: "9999-12-31T03:00:00.123456789Z" },
      { id: 2, ts: "1970-01-01T00:00:00.000000001Z" },
      { id: 3, ts: null },
    ];
    const records = await runNode(tap, ["--config", writeJsonIn(dir, "int96.json", { files: [{ path: file, stream: "t" }] })]);
    expect(records.exitCode, records.stderr).toBe(0);
    expect(
      jsonLines(records.stdout)
        .filter((line) => (line as { type: string }).type === "RECORD")
        .map((line) => (line as { record: unknown }).record),
    ).toEqual(expected);
    for (const format of ["jsonl", "arrow"] as const) {
      const root = join(dir, `int96-${format}`);
      const batched = await runNode(tap, [
        "--config",
        writeJsonIn(dir, `int96-${format}.json`, { files: [{ path: file, stream: "t" }], batch_config: { format, root } }),
      ]);
      expect(batched.exitCode, batched.stderr).toBe(0);
      const rows: unknown[] = [];
      for (const message of jsonLines(batched.stdout) as Array<{ type: string; manifest?: string[] }>) {
        for (const uri of message.type === "BATCH" ? (message.manifest ?? []) : []) {
          const bytes = readFileSync(fileURLToPath(uri));
          if (format === "arrow") rows.push(...(await decodeArrowBatch(bytes)).records());
          else rows.push(...jsonLines(bytes.toString("utf8")));
        }
      }
      expect(rows, format).toEqual(expected);
    }
  });

  it("reads nested lists, structs and maps as DuckDB does: empty lists empty, nulls null, at every level", async () => {
    const file = join(dir, "nested.parquet");
    await duckdb(`COPY (SELECT * FROM (VALUES
      (1, [1, 2, 3], {'a': 1, 'b': 'x'}, MAP {'k1': 1, 'k2': 2}, [{'p': 1}, {'p': NULL}], [[1], [], NULL]),
      (2, [], NULL, MAP {}, [], []),
      (3, NULL, {'a': NULL, 'b': NULL}, NULL, NULL, NULL),
      (4, [NULL], {'a': 2, 'b': ''}, MAP {'k': NULL}, [NULL], [[NULL]])
    ) t(id, l, s, m, ls, ll)) TO '${file}' (FORMAT parquet)`);
    const expected = (
      await duckdb(
        `SELECT id, to_json(l) AS l, to_json(s) AS s, to_json(m) AS m, to_json(ls) AS ls, to_json(ll) AS ll FROM read_parquet('${file}') ORDER BY id`,
      )
    ).map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([key, text]) => [key, key === "id" || text === null ? (text === null ? null : Number(text)) : (JSON.parse(text) as unknown)]),
      ),
    );
    const result = await runNode(tap, ["--config", writeJsonIn(dir, "nested.json", { files: [{ path: file, stream: "t" }] })]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(
      jsonLines(result.stdout)
        .filter((line) => (line as { type: string }).type === "RECORD")
        .map((line) => (line as { record: unknown }).record),
    ).toEqual(expected);
  });
});
