/**
 * Whether a value read back from a destination stands for the value sent,
 * allowing for how stores keep types: SQLite keeps booleans as 1/0 and
 * nested values as JSON text, CSV keeps everything as text (null as "").
 */
export function looselyEqual(sent: unknown, stored: unknown): boolean {
  if (sent === null || sent === undefined) return stored === null || stored === undefined || stored === "";
  if (typeof sent === "object") {
    if (typeof stored === "string") {
      try {
        return JSON.stringify(JSON.parse(stored)) === JSON.stringify(sent);
      } catch {
        return false;
      }
    }
    return JSON.stringify(stored) === JSON.stringify(sent);
  }
  if (typeof sent === "boolean") return stored === sent || stored === (sent ? 1 : 0) || String(stored).toLowerCase() === String(sent);
  if (typeof sent === "number") return Number(stored) === sent;
  return String(stored) === sent;
}

/** A record's identity in a stream: its key values as text (destinations may turn 1 into "1"). */
export function keyOf(stream: string, record: Record<string, unknown>, keys: readonly string[]): string {
  return `${stream}|${keys.map((key) => String(record[key])).join("|")}`;
}
