import { evaluate, truthy } from "../expression/evaluate.js";
import { parseExpression } from "../expression/parse.js";
import type { Middleware } from "../types.js";

/** `filter`: keeps the records for which the expression is true; the others are dropped (not dead-lettered). */
export function filterRecords(name: string, where: string, streams: readonly string[] | undefined): Middleware {
  const condition = parseExpression(where);
  return {
    name,
    streams,
    transform: (record) => (truthy(evaluate(condition, record)) ? record : null),
  };
}
