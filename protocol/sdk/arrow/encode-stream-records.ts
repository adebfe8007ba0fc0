import { DataError } from "../../errors.js";
import type { StreamRecords } from "../targets/types.js";
import type { ArrowColumn } from "./arrow-columns.js";
import { arrowRowProblem, encodeArrowBatch } from "./arrow-codec.js";

type Row = Readonly<Record<string, unknown>>;

/**
 * A stream's records of a batch as one Arrow IPC stream, for writers that
 * store columns (DuckDB, Parquet). A record holding a value its column
 * cannot hold (an integer past 64 bits, a decimal a double would round) is
 * rejected alone when the batch allows it (a runner collects dead letters),
 * and otherwise fails the batch naming its line. The common batch is
 * encoded once: records are looked at one by one only after a refusal.
 * Undefined when no record is left.
 */
export async function encodeStreamRecords(
  columns: readonly ArrowColumn[],
  entry: StreamRecords,
  rowOf: (record: Row) => Row = (record) => record,
): Promise<Uint8Array | undefined> {
  const { stream, records, lines, reject } = entry;
  const rows = records.map((message) => rowOf(message.record));
  try {
    return await encodeArrowBatch(columns, rows, stream.name);
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
  }
  const kept: Row[] = [];
  rows.forEach((row, index) => {
    const problem = arrowRowProblem(columns, row, stream.name);
    if (problem === undefined) {
      kept.push(row);
      return;
    }
    const located = problem.withLocation({ line: lines[index] as number });
    if (reject === undefined) throw located;
    reject(index, located);
  });
  return kept.length === 0 ? undefined : encodeArrowBatch(columns, kept, stream.name);
}
