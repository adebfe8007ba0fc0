import type { JsonSchema } from "../../protocol/index.js";

/** Properties as taps declare them, each with the kind valueKind reads: [what, schema, kind]. */
export const PROPERTY_CASES: Array<[string, JsonSchema | undefined, string]> = [
  ["integer", { type: "integer" }, "integer"],
  ["nullable integer", { type: ["null", "integer"] }, "integer"],
  ["integer or number", { type: ["integer", "number"] }, "number"],
  ["number", { type: "number" }, "number"],
  ["boolean", { type: "boolean" }, "boolean"],
  ["string", { type: "string" }, "string"],
  ["date-time", { type: ["null", "string"], format: "date-time" }, "date-time"],
  ["date", { type: "string", format: "date" }, "date"],
  ["time", { type: "string", format: "time" }, "time"],
  ["an unknown format", { type: "string", format: "email" }, "string"],
  ["anyOf a date-time or null", { anyOf: [{ type: "string", format: "date-time" }, { type: "null" }] }, "date-time"],
  [
    "anyOf formats that disagree",
    {
      anyOf: [
        { type: "string", format: "date-time" },
        { type: "string", format: "date" },
      ],
    },
    "string",
  ],
  ["object", { type: "object", properties: {} }, "json"],
  ["array", { type: "array", items: { type: "string" } }, "json"],
  ["several types", { type: ["string", "integer"] }, "any"],
  ["anyOf several types", { anyOf: [{ type: "string" }, { type: "integer" }] }, "any"],
  ["no type", {}, "any"],
  ["no schema", undefined, "any"],
];
