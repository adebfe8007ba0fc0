import { writeFileSync } from "node:fs";
import type { SchemaElement } from "hyparquet";
import { parquetWriteBuffer, parquetWriteFile } from "hyparquet-writer";

export interface SampleParquet {
  readonly rows: number;
  readonly rowGroupSize: number;
}

/** Writes a Parquet file of typed sample rows (ids 1..rows) and returns the rows as JSON values. */
export function writeSampleParquet(path: string, { rows, rowGroupSize }: SampleParquet): Array<Record<string, unknown>> {
  const ids = Array.from({ length: rows }, (_, index) => index + 1);
  const names = ids.map((id) => (id % 5 === 0 ? null : `name ${id} — ü🎁`));
  const scores = ids.map((id) => id * 0.5);
  const flags = ids.map((id) => id % 2 === 0);
  const times = ids.map((id) => new Date(Date.UTC(2024, 0, 1) + id * 60_000));
  const big = ids.map((id) => BigInt(id) * 1_000_000_000n);
  parquetWriteFile({
    filename: path,
    rowGroupSize,
    columnData: [
      { name: "id", data: new Int32Array(ids), type: "INT32", nullable: false },
      { name: "name", data: names, type: "STRING" },
      { name: "score", data: scores, type: "DOUBLE" },
      { name: "flag", data: flags, type: "BOOLEAN" },
      { name: "at", data: times, type: "TIMESTAMP" },
      { name: "big", data: big, type: "INT64" },
    ],
  });
  return ids.map((id, index) => ({
    id,
    name: names[index],
    score: scores[index],
    flag: flags[index],
    at: times[index]?.toISOString(),
    big: Number(big[index]),
  }));
}

/**
 * A sample Parquet file at `source` (writeSampleParquet) and the
 * `[connectors.sales]` table of a pipelines.toml running tap-parquet on it
 * (stream "sales", key "id"), writing each row group as one `format` batch
 * file into `batchRoot`. The table's TOML and the file's rows.
 */
export function sampleParquetTap(source: string, sample: SampleParquet, format: "arrow" | "parquet", batchRoot: string): { toml: string; expected: Array<Record<string, unknown>> } {
  const expected = writeSampleParquet(source, sample);
  const toml = `[connectors.sales]
command = "tap-parquet"
config = { files = [{ path = "${source}", stream = "sales", key_properties = ["id"] }], batch_config = { format = "${format}", rows_per_file = ${sample.rowGroupSize}, root = "${batchRoot}" } }`;
  return { toml, expected };
}

/** One INT96 timestamp: nanoseconds of the day, then the Julian day, both little-endian. */
function int96(julianDay: number, nanosOfDay: bigint): Uint8Array {
  const bytes = new Uint8Array(12);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, nanosOfDay, true);
  view.setUint32(8, julianDay, true);
  return bytes;
}

const JULIAN_DAY_1970 = 2_440_588;

/**
 * A Parquet file with an INT96 timestamp column (as Spark and Hive write
 * them), rows id 1–3: 9999-12-31T03:00:00.123456789Z (past what 64-bit
 * nanoseconds hold), 1970-01-01T00:00:00.000000001Z, null. No writer here
 * writes INT96, so the column is written as 12-byte fixed-length bytes (the
 * same bytes on the page) and its type changed to INT96 in the footer.
 */
export function writeInt96Parquet(path: string): void {
  const lastDay = Date.UTC(9999, 11, 31) / 86_400_000 + JULIAN_DAY_1970;
  const values = [int96(lastDay, 3n * 3_600_000_000_000n + 123_456_789n), int96(JULIAN_DAY_1970, 1n), null];
  const schema = [
    { name: "root", num_children: 2 },
    { name: "id", type: "INT32", repetition_type: "REQUIRED" },
    { name: "ts", type: "FIXED_LEN_BYTE_ARRAY", type_length: 12, repetition_type: "OPTIONAL" },
  ] as const;
  const bytes = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: "id", data: [1, 2, 3] }, { name: "ts", data: values }], schema: schema as unknown as SchemaElement[] }));
  // In the footer's compact Thrift, field 1 (the physical type) as i32: 0x15, then FIXED_LEN_BYTE_ARRAY (7) zigzagged, 0x0e. INT96 is 3: 0x06.
  const footerLength = new DataView(bytes.buffer).getUint32(bytes.length - 8, true);
  let patched = 0;
  for (let at = bytes.length - 8 - footerLength; at < bytes.length - 9; at += 1) {
    if (bytes[at] === 0x15 && bytes[at + 1] === 0x0e) {
      bytes[at + 1] = 0x06;
      patched += 1;
    }
  }
  // The schema element and the column chunk's metadata: two places, or the file is not what this helper means.
  if (patched !== 2) throw new Error(`expected the column's type in 2 places of the footer, found ${patched}`);
  writeFileSync(path, bytes);
}
