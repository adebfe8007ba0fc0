import type { JsonSchema } from "../../protocol/tap.js";

export const USERS_SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    id: { type: "integer" },
    name: { type: "string" },
    email: { type: "string" },
    score: { type: "number" },
    active: { type: "boolean" },
    signed_up_at: { type: "string", format: "date-time" },
    city: { type: "string" },
    tags: { type: "array", items: { type: "string" } },
    address: {
      type: "object",
      properties: { street: { type: "string" }, zip: { type: "string" } },
    },
    referrer_id: { type: ["null", "integer"] },
  },
  required: ["id"],
};

export const ORDERS_SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    id: { type: "integer" },
    user_id: { type: "integer" },
    product: { type: "string" },
    quantity: { type: "integer" },
    unit_price: { type: "number", multipleOf: 0.01 },
    total: { type: "number" },
    ordered_at: { type: "string", format: "date-time" },
    note: { type: ["null", "string"] },
  },
  required: ["id"],
};
