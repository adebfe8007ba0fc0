import { describe, expect, it } from "vitest";
import { arrowKind } from "../../protocol/index.js";
import { columnKind as postgresColumn } from "../../connectors/target-postgres/column-types.js";
import { columnKind as sqliteColumn } from "../../connectors/target-sqlite/column-types.js";
import { duckdbType } from "../../connectors/target-duckdb/column-types.js";
import { PROPERTY_CASES as CASES } from "../helpers/property-kinds.js";

describe("column types of the SQL targets and the Arrow writers, from one reading of the schema (valueKind)", () => {
  it("agree for every kind of property", () => {
    const table = CASES.map(([what, schema]) => [what, postgresColumn(schema).pgType, sqliteColumn(schema).sqlType, duckdbType(schema), arrowKind(schema)]);
    expect(table).toEqual([
      ["integer", "bigint", "INTEGER", "BIGINT", "int64"],
      ["nullable integer", "bigint", "INTEGER", "BIGINT", "int64"],
      ["integer or number", "numeric", "ANY", "DOUBLE", "float64"],
      ["number", "numeric", "ANY", "DOUBLE", "float64"],
      ["boolean", "boolean", "INTEGER", "BOOLEAN", "bool"],
      ["string", "text", "TEXT", "VARCHAR", "utf8"],
      ["date-time", "timestamptz", "TEXT", "TIMESTAMPTZ", "utf8"],
      ["date", "date", "TEXT", "DATE", "utf8"],
      ["time", "time", "TEXT", "VARCHAR", "utf8"],
      ["an unknown format", "text", "TEXT", "VARCHAR", "utf8"],
      ["anyOf a date-time or null", "timestamptz", "TEXT", "TIMESTAMPTZ", "utf8"],
      ["anyOf formats that disagree", "text", "TEXT", "VARCHAR", "utf8"],
      ["object", "jsonb", "TEXT", "JSON", "json"],
      ["array", "jsonb", "TEXT", "JSON", "json"],
      ["several types", "jsonb", "ANY", "JSON", "json"],
      ["anyOf several types", "jsonb", "ANY", "JSON", "json"],
      ["no type", "jsonb", "ANY", "JSON", "json"],
      ["no schema", "jsonb", "ANY", "JSON", "json"],
    ]);
  });
});
