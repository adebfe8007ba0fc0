import type { JsonSchemaObject } from "../catalog.js";
import { jsonKind, textKind, type ValueKind } from "./value-kinds.js";

export interface InferenceOptions {
  /** `text`: every value is a string to classify (CSV). `json`: values are typed (JSONL, Parquet). */
  readonly mode: "text" | "json";
  /** Fields that stay non-nullable unless a null is seen (key properties). Others follow `nullable`. */
  readonly keyFields?: readonly string[];
  /** `observed`: nullable only if a null was seen. `always`: every non-key field is nullable. Default `always`. */
  readonly nullable?: "observed" | "always";
}

/**
 * How deep objects and arrays are described; below that a value is any
 * object or array. A record nested thousands deep is valid JSON, and must
 * not exhaust the stack of the tap that samples it.
 */
export const MAX_INFERRED_DEPTH = 32;

/** What was seen of one field. */
class FieldStats {
  readonly kinds = new Set<ValueKind>();
  /** For objects: their properties. For arrays: `items` under the name "items". */
  nested: SchemaInferrer | undefined;
  items: FieldStats | undefined;
}

const SCALAR_TYPES: Partial<Record<ValueKind, JsonSchemaObject>> = {
  integer: { type: "integer" },
  number: { type: "number" },
  boolean: { type: "boolean" },
  "date-time": { type: "string", format: "date-time" },
  date: { type: "string", format: "date" },
  string: { type: "string" },
};

function withNull(schema: JsonSchemaObject): JsonSchemaObject {
  const type = schema["type"];
  if (type === undefined) return schema;
  const types = Array.isArray(type) ? (type as string[]) : [type as string];
  return types.includes("null") ? schema : { ...schema, type: ["null", ...types] };
}

/**
 * Infers a JSON Schema from sample records. Rules: integer and number make
 * number; date-time (or date) with plain strings makes string; in text mode
 * any other mix is string (the text is always keepable), in JSON mode a
 * union of the types seen. A field never seen with a value is a nullable
 * string. Feed it a bounded sample: it never needs the whole input.
 */
export class SchemaInferrer {
  private readonly fields = new Map<string, FieldStats>();
  private observed = 0;

  /** `depth`: how deep this inferrer's objects sit in the record (0 for the record itself). */
  constructor(
    private readonly options: InferenceOptions,
    private readonly depth = 0,
  ) {}

  get sampleSize(): number {
    return this.observed;
  }

  observe(record: Record<string, unknown>): void {
    this.observed += 1;
    for (const [name, value] of Object.entries(record)) {
      let stats = this.fields.get(name);
      if (stats === undefined) {
        stats = new FieldStats();
        this.fields.set(name, stats);
      }
      this.observeValue(stats, value);
    }
  }

  private observeValue(stats: FieldStats, value: unknown, depth = this.depth + 1): void {
    const kind = this.options.mode === "text" && typeof value === "string" ? textKind(value) : jsonKind(value);
    stats.kinds.add(kind);
    // Deeper than that, an object is any object and an array any array: described, never walked.
    if (depth > MAX_INFERRED_DEPTH) return;
    if (kind === "object") {
      stats.nested ??= new SchemaInferrer({ mode: this.options.mode, nullable: this.options.nullable ?? "always" }, depth);
      stats.nested.observe(value as Record<string, unknown>);
    } else if (kind === "array") {
      stats.items ??= new FieldStats();
      for (const item of value as unknown[]) this.observeValue(stats.items, item, depth + 1);
    }
  }

  /** The object schema of everything observed, fields in first-seen order. */
  toSchema(): JsonSchemaObject {
    const keys = new Set(this.options.keyFields ?? []);
    // Built from entries: a field named __proto__ becomes a property like any other.
    const properties = Object.fromEntries(
      [...this.fields].map(([name, stats]) => {
        const schema = fieldSchema(stats, this.options.mode);
        const nullable = stats.kinds.has("null") || (!keys.has(name) && (this.options.nullable ?? "always") === "always");
        return [name, nullable ? withNull(schema) : schema];
      }),
    );
    return { type: "object", properties };
  }
}

function fieldSchema(stats: FieldStats, mode: "text" | "json"): JsonSchemaObject {
  const kinds = new Set(stats.kinds);
  kinds.delete("null");
  if (kinds.size === 0) return { type: ["null", "string"] };
  if (kinds.has("integer") && kinds.has("number")) kinds.delete("integer");
  if ((kinds.has("date-time") || kinds.has("date")) && (kinds.has("string") || (kinds.has("date-time") && kinds.has("date")))) {
    kinds.delete("date-time");
    kinds.delete("date");
    kinds.add("string");
  }
  if (kinds.size === 1) {
    const [kind] = kinds as Set<ValueKind> & Iterable<ValueKind>;
    if (kind === "object") return stats.nested?.toSchema() ?? { type: "object" };
    if (kind === "array") return { type: "array", items: stats.items === undefined ? {} : fieldSchema(stats.items, mode) };
    return SCALAR_TYPES[kind as ValueKind] ?? { type: "string" };
  }
  if (mode === "text") return { type: "string" };
  const types = [...kinds].map((kind) => (kind === "date-time" || kind === "date" ? "string" : kind));
  return { type: [...new Set(types)] };
}
