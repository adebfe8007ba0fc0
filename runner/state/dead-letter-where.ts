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
  if (filter.stream !== undefined) clauses.push(`stream = ${parameter(filter.stream)}`);
  if (filter.errorCode !== undefined) clauses.push(`error_code = ${parameter(filter.errorCode)}`);
  if (filter.ids !== undefined) {
    clauses.push(
      dialect === "sqlite" ? `id IN (${filter.ids.map((id) => parameter(id)).join(", ") || "NULL"})` : `id = ANY(${parameter(filter.ids)}::bigint[])`,
    );
  }
  return { sql: clauses.join(" AND "), values };
}

/** A filter's page as SQL : whole numbers only, never text. */
export function deadLetterPage(filter: DeadLetterFilter, dialect: "sqlite" | "postgres"): string {
  const limit = filter.limit === undefined ? "" : ` LIMIT ${Math.max(0, Math.floor(filter.limit))}`;
  const offset = filter.offset === undefined || filter.offset <= 0 ? "" : ` OFFSET ${Math.floor(filter.offset)}`;
  // SQLite takes OFFSET only after a LIMIT: -1 is "no limit" there, ALL in Postgres.
  return limit === "" && offset !== "" ? ` LIMIT ${dialect === "sqlite" ? "-1" : "ALL"}${offset}` : `${limit}${offset}`;
}
