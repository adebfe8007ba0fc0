import type { DeadLetterFilter } from "./types.js";

/**
 * A dead-letter filter as a SQL condition and its values, in the dialect of
 * the store: `?` parameters and `IN (…)` for SQLite, `$n` and `= ANY(array)`
 * for Postgres.
 */
export function deadLetterWhere(filter: DeadLetterFilter, dialect: "sqlite" | "postgres"): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const parameter = (value: unknown): string => {
    values.push(value);
    return dialect === "sqlite" ? "?" : `$${values.length}`;
  };
  const clauses = [`pipeline = ${parameter(filter.pipeline)}`];
  if (filter.stage !== undefined) clauses.push(`stage = ${parameter(filter.stage)}`);
  if (filter.status !== undefined) clauses.push(`status = ${parameter(filter.status)}`);
  if (filter.ids !== undefined) {
    clauses.push(
      dialect === "sqlite" ? `id IN (${filter.ids.map((id) => parameter(id)).join(", ") || "NULL"})` : `id = ANY(${parameter(filter.ids)}::bigint[])`,
    );
  }
  return { sql: clauses.join(" AND "), values };
}
