import { evaluate, truthy } from "../expression/evaluate.js";
import { parseExpression } from "../expression/parse.js";
import { forEachRow, keepRows } from "../arrow/arrow-columns.js";
import type { Middleware } from "../types.js";

/** `filter`: keeps the records for which the expression is true; the others are dropped (not dead-lettered). */
export function filterRecords(name: string, where: string, streams: readonly string[] | undefined): Middleware {
  const condition = parseExpression(where);
  return {
    name,
    streams,
    transform: (record) => (truthy(evaluate(condition, record)) ? record : null),
    // Each row judged as the record it stands for; the rows kept are copied as they are.
    transformArrow(table) {
      const kept = table.batches.map((batch) => new Uint8Array(batch.numRows));
      forEachRow(table, (batch, row, record) => {
        if (truthy(evaluate(condition, record))) (kept[batch] as Uint8Array)[row] = 1;
      });
      return keepRows(table, (batch, row) => kept[batch]?.[row] === 1);
    },
  };
}
