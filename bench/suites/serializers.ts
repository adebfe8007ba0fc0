import fastJson from "fast-json-stringify";
import { rowSerializer } from "../../protocol/sdk/tap/row-serializer.js";
import { BENCH_SCHEMA, benchRecord } from "../data.js";
import { bestOf, rateTable, type Measurement } from "../measure.js";

const COLUMNS = Object.keys(BENCH_SCHEMA.properties);

/**
 * Writing a tap's records as JSON, per record: JSON.stringify of the record
 * as taps build it (a null-prototype object, so that a column named
 * __proto__ is data) and of a plain object, fast-json-stringify compiled from
 * the stream's schema, and the SDK's row serializer compiled from the
 * stream's columns (a RowBatch's rows: no object at all). All must write the
 * same text.
 */
export async function runSerializerBench(records: number, runs: number): Promise<string> {
  const plain = Array.from({ length: records }, (_, index) => benchRecord(index));
  const dataRecords = plain.map((record) => Object.assign(Object.create(null) as Record<string, unknown>, record));
  const rows = plain.map((record) => COLUMNS.map((name) => record[name]));
  const compiled = fastJson(BENCH_SCHEMA as never);
  const serializeRow = rowSerializer(COLUMNS, undefined);
  for (let index = 0; index < 1000; index += 1) {
    const expected = JSON.stringify(plain[index]);
    for (const [name, text] of [
      ["fast-json-stringify", compiled(plain[index])],
      ["row serializer", serializeRow(rows[index] as unknown[])],
    ] as const) {
      if (text !== expected) throw new Error(`${name} wrote ${text}, JSON.stringify ${expected}`);
    }
  }
  let bytes = 0;
  for (const record of plain) bytes += JSON.stringify(record).length;
  const results: Measurement[] = [
    await bestOf("JSON.stringify, null-prototype record (tap-csv until now)", runs, records, bytes, () => dataRecords.forEach((record) => JSON.stringify(record))),
    await bestOf("JSON.stringify, plain object", runs, records, bytes, () => plain.forEach((record) => JSON.stringify(record))),
    await bestOf("fast-json-stringify, compiled from the schema", runs, records, bytes, () => plain.forEach((record) => compiled(record))),
    await bestOf("SDK row serializer, compiled from the columns (RowBatch)", runs, records, bytes, () => rows.forEach((row) => serializeRow(row))),
  ];
  return rateTable(results, results[0] as Measurement, "records", "null-prototype JSON.stringify");
}
