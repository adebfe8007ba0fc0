import { bookmarked, defineTap, type TapStream } from "../../protocol/tap.js";
import { orderRow, userRow } from "./sample-rows.js";
import { ORDERS_SCHEMA, USERS_SCHEMA } from "./schemas.js";

interface SampleConfig {
  [key: string]: unknown;
  users: number;
  orders: number;
  seed: number;
}

/** A position bookmark: how many rows of the stream have been emitted. */
function rowsDone(bookmark: unknown): number {
  const rows = (bookmark as { rows?: unknown } | undefined)?.rows;
  return typeof rows === "number" && rows > 0 ? rows : 0;
}

function generatedStream(
  name: string,
  schema: TapStream["schema"],
  count: (config: SampleConfig) => number,
  row: (config: SampleConfig, index: number) => Record<string, unknown>,
): TapStream<SampleConfig> {
  return {
    name,
    schema,
    keyProperties: ["id"],
    resumable: true,
    *records({ config, bookmark }) {
      const total = count(config);
      for (let index = rowsDone(bookmark); index < total; index += 1) {
        yield bookmarked(row(config, index), { rows: index + 1 });
      }
    },
  };
}

export const tapSample = defineTap<SampleConfig>({
  name: "tap-sample",
  version: "0.1.0",
  description: "Generates deterministic sample data (users and orders) for demos, tests and benchmarks. Resumable by row.",
  resumable: true,
  settings: {
    type: "object",
    additionalProperties: false,
    properties: {
      users: { type: "integer", minimum: 0, default: 1000, description: "Rows in the users stream." },
      orders: { type: "integer", minimum: 0, default: 5000, description: "Rows in the orders stream." },
      seed: { type: "integer", default: 42, description: "Seed of the generator: the same seed gives the same rows." },
    },
  },
  discoverStreams: () => [
    generatedStream(
      "users",
      USERS_SCHEMA,
      (config) => config.users,
      (config, index) => userRow(config.seed, index),
    ),
    generatedStream(
      "orders",
      ORDERS_SCHEMA,
      (config) => config.orders,
      (config, index) => orderRow(config.seed, index, config.users),
    ),
  ],
  testConnection: () => "generated data needs no connection",
});
