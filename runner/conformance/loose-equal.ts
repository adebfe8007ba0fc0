/** An ISO 8601 date-time with a zone: Postgres gives back `2024-01-10T17:57:34+00:00` for `2024-01-10T17:57:34.000Z`. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

/**
 * Whether a value read back from a destination stands for the value sent,
 * allowing for how stores keep types: SQLite keeps booleans as 1/0 and
 * nested values as JSON text, CSV keeps everything as text (null as ""),
 * Postgres's jsonb orders object keys its own way and timestamptz writes
 * the same instant in another form.
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
    if (!Array.isArray(sent) && typeof stored === "object" && stored !== null && !Array.isArray(stored)) {
      // An object rebuilt from flattened columns: its leaves may be text.
      const keys = Object.keys(sent);
      return (
        keys.length === Object.keys(stored).length &&
        keys.every((key) => looselyEqual((sent as Record<string, unknown>)[key], storedField(stored as Record<string, unknown>, key)))
      );
    }
    if (Array.isArray(sent) && Array.isArray(stored)) return sent.length === stored.length && sent.every((item, index) => looselyEqual(item, stored[index]));
    return JSON.stringify(stored) === JSON.stringify(sent);
  }
  if (typeof sent === "boolean") return stored === sent || stored === (sent ? 1 : 0) || String(stored).toLowerCase() === String(sent);
  if (typeof sent === "number") return Number(stored) === sent;
  if (typeof sent === "string" && typeof stored === "string" && stored !== sent && DATE_TIME.test(sent) && DATE_TIME.test(stored))
    return Date.parse(stored) === Date.parse(sent);
  return String(stored) === sent;
}

/** A record's identity in a stream: its key values as text (destinations may turn 1 into "1"). */
export function keyOf(stream: string, record: Record<string, unknown>, keys: readonly string[]): string {
  return `${stream}|${keys.map((key) => String(record[key])).join("|")}`;
}

/**
 * A field of a record read back. Targets that flatten nested objects (the
 * Singer convention, `address__city`, which singer-io's target-csv and
 * Meltano SDK targets follow) have no `address` column: the object is
 * rebuilt from the `address__…` ones.
 */
export function storedField(record: Record<string, unknown>, field: string): unknown {
  if (Object.hasOwn(record, field)) return record[field];
  const prefix = `${field}__`;
  const parts = Object.keys(record).filter((key) => key.startsWith(prefix));
  if (parts.length === 0) return undefined;
  const rebuilt: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of parts) {
    const [first] = key.slice(prefix.length).split("__");
    if (first !== undefined && !Object.hasOwn(rebuilt, first))
      rebuilt[first] = storedField(Object.fromEntries(parts.map((part) => [part.slice(prefix.length), record[part]])), first);
  }
  return rebuilt;
}
