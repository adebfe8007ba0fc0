import { writeFileSync } from "node:fs";
import { parquetMetadata, type FileMetaData, type SchemaElement } from "hyparquet";
import { ByteWriter, parquetWriteBuffer, parquetWriteFile } from "hyparquet-writer";
import { writeMetadata } from "hyparquet-writer/src/metadata.js";

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
 * A sample Parquet file at `source` (writeSampleParquet) and the connector
 * running tap-parquet on it (stream "sales", key "id"), writing each row
 * group as one `format` batch file into `batchRoot`, for a project's
 * connectors (writeProject). The connector and the file's rows.
 */
export function sampleParquetTap(
  source: string,
  sample: SampleParquet,
  format: "arrow" | "parquet",
  batchRoot: string,
): { tap: { command: string; config: Record<string, unknown> }; expected: Array<Record<string, unknown>> } {
  const expected = writeSampleParquet(source, sample);
  const tap = {
    command: "tap-parquet",
    config: {
      files: [{ path: source, stream: "sales", key_properties: ["id"] }],
      batch_config: { format, rows_per_file: sample.rowGroupSize, root: batchRoot },
    },
  };
  return { tap, expected };
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
  const bytes = new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: "id", data: [1, 2, 3] },
        { name: "ts", data: values },
      ],
      schema: schema as unknown as SchemaElement[],
    }),
  );
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

/** Where a legacy file's one list column came from, and what it is declared as instead. */
type LegacyShape = "two-level" | "bare-repeated" | "array-group" | "map-without-values";

/**
 * A Parquet file whose column `v` uses a list or map encoding older writers
 * made (the format's backward-compatibility rules say how to read each):
 * - two-level: `optional group v (LIST) { repeated binary element (UTF8) }`;
 * - bare-repeated: `repeated binary v (UTF8)`, a repeated field outside any LIST;
 * - array-group: `optional group v (LIST) { repeated group array { required binary str (UTF8) } }`,
 *   whose elements are the one-field groups, not their field;
 * - map-without-values: `optional group v (MAP) { repeated group key_value (MAP_KEY_VALUE) { required binary key (UTF8) } }`.
 * hyparquet-writer writes only today's three-level list, so the file is one of those (with the
 * same repetition and definition levels, hence the same pages) whose footer is then rewritten to
 * the legacy schema. Rows: id 1 with values "x" and "y", id 2 with none, id 3 null (but for
 * bare-repeated, which cannot be null: none).
 */
export function writeLegacyListParquet(path: string, shape: LegacyShape): void {
  const values = shape === "bare-repeated" ? [["x", "y"], [], []] : [["x", "y"], [], null];
  const listRepetition = shape === "bare-repeated" ? "REQUIRED" : "OPTIONAL";
  const standard: SchemaElement[] = [
    { name: "root", num_children: 2 },
    { name: "id", type: "INT32", repetition_type: "REQUIRED" },
    { name: "v", repetition_type: listRepetition, num_children: 1, converted_type: "LIST" },
    { name: "list", repetition_type: "REPEATED", num_children: 1 },
    { name: "element", type: "BYTE_ARRAY", repetition_type: "REQUIRED", converted_type: "UTF8" },
  ];
  const bytes = new Uint8Array(
    parquetWriteBuffer({
      schema: standard,
      columnData: [
        { name: "id", data: [1, 2, 3] },
        { name: "v", data: values },
      ],
      statistics: false,
    }),
  );
  const legacy: Record<LegacyShape, { schema: SchemaElement[]; path: string[] }> = {
    "two-level": {
      schema: [
        standard[0],
        standard[1],
        standard[2],
        { name: "element", type: "BYTE_ARRAY", repetition_type: "REPEATED", converted_type: "UTF8" },
      ] as SchemaElement[],
      path: ["v", "element"],
    },
    "bare-repeated": {
      schema: [standard[0], standard[1], { name: "v", type: "BYTE_ARRAY", repetition_type: "REPEATED", converted_type: "UTF8" }] as SchemaElement[],
      path: ["v"],
    },
    "array-group": {
      schema: [
        standard[0],
        standard[1],
        standard[2],
        { name: "array", repetition_type: "REPEATED", num_children: 1 },
        { name: "str", type: "BYTE_ARRAY", repetition_type: "REQUIRED", converted_type: "UTF8" },
      ] as SchemaElement[],
      path: ["v", "array", "str"],
    },
    "map-without-values": {
      schema: [
        standard[0],
        standard[1],
        { name: "v", repetition_type: "OPTIONAL", num_children: 1, converted_type: "MAP" },
        { name: "key_value", repetition_type: "REPEATED", num_children: 1, converted_type: "MAP_KEY_VALUE" },
        { name: "key", type: "BYTE_ARRAY", repetition_type: "REQUIRED", converted_type: "UTF8" },
      ] as SchemaElement[],
      path: ["v", "key_value", "key"],
    },
  };
  const { schema, path: columnPath } = legacy[shape];
  const footerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(bytes.byteLength - 8, true);
  const footerStart = bytes.byteLength - 8 - footerLength;
  const metadata = parquetMetadata(bytes.slice().buffer);
  const rewritten: FileMetaData = {
    ...metadata,
    schema,
    row_groups: metadata.row_groups.map((group) => ({
      ...group,
      columns: group.columns.map((chunk) =>
        chunk.meta_data?.path_in_schema[0] === "v" ? { ...chunk, meta_data: { ...chunk.meta_data, path_in_schema: columnPath } } : chunk,
      ),
    })),
  };
  const { metadata_length: _length, ...rest } = rewritten;
  const footer = new ByteWriter();
  writeMetadata(footer, rest as FileMetaData);
  footer.appendUint32(0x31524150);
  writeFileSync(path, Buffer.concat([bytes.subarray(0, footerStart), new Uint8Array(footer.getBuffer())]));
}
