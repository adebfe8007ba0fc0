/**
 * Secrets are masked by value: every value a pipeline reads from the
 * environment (`${API_TOKEN}` in pipelines.toml) is registered here, and
 * every text the runner shows or keeps (its stderr, the connectors' lines it
 * forwards, errors, run history, dead-letter messages) passes through
 * maskSecrets, wherever the value ended up inside it: a URL, a command line,
 * a connector's own error.
 */

/** Shorter values would mask ordinary words; such secrets are too weak to be worth hiding anyway. */
const MIN_SECRET_LENGTH = 4;
export const MASK = "***";

const secrets = new Set<string>();
/** Longest first, so a secret that contains another is masked whole. */
let ordered: string[] = [];

/** Registers a secret value, in the forms it takes inside JSON text and URLs too. */
export function registerSecret(value: string): void {
  if (value.length < MIN_SECRET_LENGTH) return;
  const before = secrets.size;
  for (const form of [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]) secrets.add(form);
  if (secrets.size !== before) ordered = [...secrets].sort((left, right) => right.length - left.length);
}

/** `text` with every registered secret replaced by `***`. */
export function maskSecrets(text: string): string {
  let masked = text;
  for (const secret of ordered) if (masked.includes(secret)) masked = masked.replaceAll(secret, MASK);
  return masked;
}

/** Masks everything this process writes to a stream (stderr): logs, forwarded lines, errors alike. */
export function maskStream(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    if (ordered.length === 0) return write(chunk, ...rest);
    return write(maskSecrets(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8")), ...rest);
  }) as typeof stream.write;
}
