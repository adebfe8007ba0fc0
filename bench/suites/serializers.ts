import fastJson from "fast-json-stringify";
import { rowSerializer } from "../../protocol/sdk/tap/row-serializer.js";
import { BENCH_SCHEMA, benchRecord } from "../data.js";
import { bestOfEach, rateTable, type Measurement } from "../measure.js";

const COLUMNS = Object.keys(BENCH_SCHEMA.properties);

/** The schema of the bench record as tap-csv reads it: nested values are text. */
const FLAT_SCHEMA = { ...BENCH_SCHEMA, properties: { ...BENCH_SCHEMA.properties, tags: { type: "string" }, address: { type: "string" } } };

/**
 * From a row of converted values (what tap-csv holds after reading a line)
 * to the record's JSON text: a null-prototype object (so that a column
 * named __proto__ is data) and JSON.stringify, the same with a plain object
 * (faster, but a column named __proto__ would set its prototype), a plain
 * object and fast-json-stringify compiled from the schema, and the SDK's
 * row serializer on the values themselves (a RowBatch). All must write the
 * same text.
 */
export async function runSerializerBench(records: number, runs: number): Promise<string> {
  const rows = Array.from({ length: records }, (_, index) => {
    const record = benchRecord(index);
    return COLUMNS.map((name) => (name === "tags" || name === "address" ? JSON.stringify(record[name]) : record[name]));
  });
  const count = COLUMNS.length;
  const nullPrototype = (values: readonly unknown[]): Record<string, unknown> => {
    const record = Object.create(null) as Record<string, unknown>;
    for (let index = 0; index < count; index += 1) record[COLUMNS[index] as string] = values[index];
    return record;
  };
  const plain = (values: readonly unknown[]): Record<string, unknown> => {
    const record: Record<string, unknown> = {};
    for (let index = 0; index < count; index += 1) record[COLUMNS[index] as string] = values[index];
    return record;
  };
  const compiled = fastJson(FLAT_SCHEMA as never);
  const serializeRow = rowSerializer(COLUMNS, undefined);
  for (const row of rows.slice(0, 1000)) {
    const expected = JSON.stringify(nullPrototype(row));
    for (const [name, text] of [
      ["plain object", JSON.stringify(plain(row))],
      ["fast-json-stringify", compiled(plain(row))],
      ["row serializer", serializeRow(row)],
    ] as const) {
      if (text !== expected) throw new Error(`${name} wrote ${text}, JSON.stringify ${expected}`);
    }
  }
  let bytes = 0;
  for (const row of rows) bytes += serializeRow(row).length;
  const results = await bestOfEach(
    [
      [
        "null-prototype record + JSON.stringify (tap-csv until now)",
        () => {
          for (const row of rows) JSON.stringify(nullPrototype(row));
        },
      ],
      [
        "plain object + JSON.stringify (unsafe: a __proto__ column)",
        () => {
          for (const row of rows) JSON.stringify(plain(row));
        },
      ],
      [
        "plain object + fast-json-stringify, compiled from the schema",
        () => {
          for (const row of rows) compiled(plain(row));
        },
      ],
      [
        "the values + SDK row serializer, compiled from the columns (RowBatch)",
        () => {
          for (const row of rows) serializeRow(row);
        },
      ],
    ],
    runs,
    records,
    bytes,
  );
  return rateTable(results, results[0] as Measurement, "records", "null-prototype record");
}
