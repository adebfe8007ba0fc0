import type { ErrorObject } from "ajv";

/** The value at a JSON pointer such as "/address/zip" inside a record. */
function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === "") return root;
  let current: unknown = root;
  for (const rawPart of pointer.slice(1).split("/")) {
    const part = rawPart.replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  const type = typeof value;
  if (type === "object") return "an object";
  const shown = JSON.stringify(value) ?? String(value);
  return `${type} ${shown.length > 40 ? `${shown.slice(0, 40)}…` : shown}`;
}

export interface FieldProblem {
  /** JSON pointer of the field, "/" for the record itself. */
  readonly field: string;
  /** What was expected and what arrived, in words. */
  readonly problem: string;
}

/** Turns ajv's first error into a field path and a readable sentence. */
export function describeFirstError(errors: readonly ErrorObject[] | null | undefined, record: unknown): FieldProblem {
  const error = errors?.[0];
  if (error === undefined) return { field: "/", problem: "does not match its schema" };
  const field = error.instancePath === "" ? "/" : error.instancePath;
  const actual = valueAt(record, error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "type": {
      const expected = Array.isArray(params["type"]) ? (params["type"] as string[]).join(" or ") : String(params["type"]);
      return { field, problem: `expected ${expected}, got ${describeValue(actual)}` };
    }
    case "required":
      return {
        field: `${error.instancePath}/${String(params["missingProperty"])}`,
        problem: "is required but missing",
      };
    case "format":
      return { field, problem: `expected format ${String(params["format"])}, got ${describeValue(actual)}` };
    case "multipleOf":
      return { field, problem: `is not a multiple of the schema's multipleOf (got ${describeValue(actual)})` };
    case "additionalProperties":
      return { field: `${error.instancePath}/${String(params["additionalProperty"])}`, problem: "is not allowed by the schema" };
    default:
      return { field, problem: `${error.message ?? "is invalid"} (got ${describeValue(actual)})` };
  }
}
