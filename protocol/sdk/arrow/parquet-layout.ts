import type { SchemaElement } from "hyparquet";
import { JSON_COLUMN_KEY, type ReadKind } from "./arrow-columns.js";
import { kindOfField } from "./arrow-decode.js";
import type { ArrowLayout } from "./arrow-layout.js";
import { loadArrow, type ArrowModule } from "./lazy-modules.js";

/** The kind of a top-level Parquet column by its own types, for files with no Arrow schema in their footer. */
function kindOfElement(element: SchemaElement): ReadKind | undefined {
  if ((element.num_children ?? 0) > 0) return undefined;
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  if (logical === "DECIMAL" || converted === "DECIMAL") return undefined;
  if (logical === "TIMESTAMP" || converted === "TIMESTAMP_MILLIS" || converted === "TIMESTAMP_MICROS" || element.type === "INT96") return "timestamp";
  if (logical === "DATE" || converted === "DATE") return "date";
  if (logical === "TIME" || converted === "TIME_MILLIS" || converted === "TIME_MICROS") return undefined;
  switch (element.type) {
    case "INT32":
    case "INT64":
      return "int64";
    case "FLOAT":
    case "DOUBLE":
      return "float64";
    case "BOOLEAN":
      return "bool";
    case "BYTE_ARRAY":
      return logical === "STRING" || logical === "JSON" || converted === "UTF8" || converted === "JSON" ? "utf8" : undefined;
    default:
      return undefined;
  }
}

/**
 * The columns and row count of a Parquet batch file, from its footer alone.
 * Column kinds come from the Arrow schema writers like parquet-wasm keep in
 * the footer (`ARROW:schema`), which also marks JSON text columns; without
 * one, from the Parquet types. Throws what hyparquet throws for a file that
 * is not Parquet or is cut short.
 */
export async function readParquetLayout(path: string): Promise<ArrowLayout> {
  const { asyncBufferFromFile, parquetMetadataAsync, parquetSchema } = await import("hyparquet");
  const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
  const rows = Number(metadata.num_rows);
  const batches = metadata.row_groups.length;
  const encoded = metadata.key_value_metadata?.find((entry) => entry.key === "ARROW:schema")?.value;
  if (encoded !== undefined) {
    const { Message } = await loadArrow();
    const bytes = Buffer.from(encoded, "base64");
    // An IPC-encapsulated message: the continuation marker and the metadata's length, then the flatbuffer.
    const start = bytes.readUInt32LE(0) === 0xffffffff ? 8 : 4;
    const schema = Message.decode(bytes.subarray(start, start + bytes.readInt32LE(start - 4))).header() as InstanceType<ArrowModule["Schema"]>;
    return {
      columns: schema.fields.map((field) => ({
        name: field.name,
        type: String(field.type),
        kind: kindOfField(field.type, field.metadata.get(JSON_COLUMN_KEY) === "1"),
      })),
      rows,
      batches,
    };
  }
  const top = parquetSchema(metadata).children.map((child) => child.element);
  return { columns: top.map((element) => ({ name: element.name, type: element.type ?? "group", kind: kindOfElement(element) })), rows, batches };
}
