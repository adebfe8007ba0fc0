/**
 * Deterministic benchmark data: RECORD lines of 10 fields of mixed types,
 * built in memory so the figures measure our code, not the disk.
 */

export const BENCH_SCHEMA = {
  type: "object",
  properties: {
    id: { type: "integer" },
    name: { type: "string" },
    email: { type: "string" },
    score: { type: "number" },
    active: { type: "boolean" },
    created_at: { type: "string", format: "date-time" },
    city: { type: ["null", "string"] },
    tags: { type: "array", items: { type: "string" } },
    address: { type: "object", properties: { street: { type: "string" }, zip: { type: "string" } } },
    balance: { type: ["null", "number"] },
  },
  required: ["id"],
} as const;

const CITIES = ["Zürich", "Lyon", null, "Kraków", "Oslo", "Tōkyō"];

export function benchRecord(index: number): Record<string, unknown> {
  return {
    id: index,
    name: `user ${index}`,
    email: `user${index}@example.com`,
    score: (index % 1000) / 10,
    active: index % 3 !== 0,
    created_at: new Date(1_700_000_000_000 + index * 1000).toISOString(),
    city: CITIES[index % CITIES.length],
    tags: index % 2 === 0 ? ["a", "b"] : [],
    address: { street: `${index} Main St`, zip: String(10000 + (index % 90000)) },
    balance: index % 7 === 0 ? null : index * 1.25,
  };
}

export function schemaLine(stream = "users"): string {
  return JSON.stringify({ type: "SCHEMA", stream, schema: BENCH_SCHEMA, key_properties: ["id"] });
}

export function recordLine(index: number, stream = "users"): string {
  return JSON.stringify({ type: "RECORD", stream, record: benchRecord(index) });
}

/** `count` RECORD lines after one SCHEMA, as 64 KiB chunks (what a pipe hands over). */
export function messageChunks(count: number, chunkSize = 64 * 1024): { chunks: Buffer[]; lines: string[]; bytes: number } {
  const lines = [schemaLine()];
  for (let index = 0; index < count; index += 1) lines.push(recordLine(index));
  const all = Buffer.from(`${lines.join("\n")}\n`);
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < all.length; offset += chunkSize) chunks.push(all.subarray(offset, offset + chunkSize));
  return { chunks, lines, bytes: all.length };
}
