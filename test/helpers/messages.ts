/** Builders for Singer message lines in tests. */

export function schemaLine(stream: string, properties: Record<string, unknown>, keys: string[] = []): string {
  return JSON.stringify({ type: "SCHEMA", stream, schema: { type: "object", properties }, key_properties: keys });
}

export function recordLine(stream: string, record: Record<string, unknown>, version?: number): string {
  return JSON.stringify({ type: "RECORD", stream, record, ...(version === undefined ? {} : { version }) });
}

export function stateLine(value: unknown): string {
  return JSON.stringify({ type: "STATE", value });
}

export function activateLine(stream: string, version: number): string {
  return JSON.stringify({ type: "ACTIVATE_VERSION", stream, version });
}

/** Lines joined as a target's stdin. */
export function input(...lines: string[]): string {
  return `${lines.join("\n")}\n`;
}
