import { parquetWriteFile } from "hyparquet-writer";

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
