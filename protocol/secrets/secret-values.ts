/**
 * Secrets are masked by value, in the runner and in every connector built
 * on the SDK. The runner registers every value a pipeline reads from the
 * environment (`${API_TOKEN}` in pipelines.toml) and the credentials in
 * connector configs; a connector registers the settings its schema marks
 * secret. Every text either shows or keeps (stderr, the connectors' lines
 * the runner forwards, errors, run history, dead-letter messages) passes
 * through maskSecrets, wherever the value ended up inside it: a URL, a
 * command line, a response body quoted in an error.
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

const maskedStreams = new WeakSet<NodeJS.WriteStream>();

/** Masks everything this process writes to a stream (stderr): logs, forwarded lines, errors alike. Once per stream. */
export function maskStream(stream: NodeJS.WriteStream): void {
  if (maskedStreams.has(stream)) return;
  maskedStreams.add(stream);
  const write = stream.write.bind(stream) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    if (ordered.length === 0) return write(chunk, ...rest);
    return write(maskSecrets(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8")), ...rest);
  }) as typeof stream.write;
}

/** The password of a URL with one (`postgres://user:password@host/db`), in any setting whatever its name. */
/** The password of a URL with one, as written in it (percent-encoded); undefined for anything else. */
function urlPassword(text: string): string | undefined {
  if (!text.includes("://") || !text.includes("@")) return undefined;
  try {
    const password = new URL(text).password;
    return password === "" ? undefined : password;
  } catch {
    return undefined;
  }
}

function registerUrlPassword(text: string): void {
  const password = urlPassword(text);
  if (password !== undefined) registerSecret(decodeURIComponent(password));
}

function isUrl(text: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return false;
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}

/** A URL's password, and the values of its parameters named like credentials (`?password=`, `?sslpassword=`, `?token=`). */
function registerUrlSecrets(text: string): void {
  registerUrlPassword(text);
  if (!isUrl(text)) return;
  for (const [key, value] of new URL(text).searchParams) if (SECRET_NAME.test(key) && value !== "") registerSecret(value);
}

/** Setting names that hold credentials, whatever the connector says about them. */
const SECRET_NAME = /(^|[_-])(password|passphrase|passwd|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|credentials?)$/i;

/**
 * Registers the secrets in a connector's config: every string under a
 * setting whose name says it is one (password, token, api_key, ...), and
 * every string the connector's settings schema marks `secret` (or
 * `writeOnly`), when the schema is known (from its --about).
 */
export function registerConfigSecrets(config: unknown, schema?: unknown, name = ""): void {
  const declared = typeof schema === "object" && schema !== null ? (schema as Record<string, unknown>) : undefined;
  if (typeof config === "string") {
    // A secret URL hides its password and secret parameters, not the host: "postgres://u:***@db:5432/x" still says where.
    if (
      (SECRET_NAME.test(name) || declared?.["secret"] === true || declared?.["writeOnly"] === true || declared?.["airbyte_secret"] === true) &&
      !isUrl(config)
    )
      registerSecret(config);
    else registerUrlSecrets(config);
    return;
  }
  // A schema with alternatives: each may describe the value.
  const alternatives = ["oneOf", "anyOf", "allOf"].flatMap((key) => (Array.isArray(declared?.[key]) ? (declared?.[key] as unknown[]) : []));
  for (const alternative of alternatives) registerConfigSecrets(config, alternative, name);
  if (Array.isArray(config)) {
    for (const item of config) registerConfigSecrets(item, declared?.["items"], name);
    return;
  }
  if (typeof config !== "object" || config === null) return;
  const properties = typeof declared?.["properties"] === "object" && declared["properties"] !== null ? (declared["properties"] as Record<string, unknown>) : {};
  for (const [key, value] of Object.entries(config)) {
    const child = Object.hasOwn(properties, key) ? properties[key] : declared?.["additionalProperties"];
    // A secret object (an auth table) makes everything in it secret.
    const inherited = declared?.["secret"] === true ? { ...(typeof child === "object" && child !== null ? child : {}), secret: true } : child;
    registerConfigSecrets(value, inherited, SECRET_NAME.test(name) ? name : key);
  }
}

/**
 * The secret values in a command line's words: the value of a flag whose
 * name says it is one (`--password X`, `--api-key=X`), of an environment
 * assignment (`API_TOKEN=X tap-x`), and a URL's password. Each is also
 * registered, so it is masked wherever it shows.
 */
export function commandLineSecrets(words: readonly string[]): string[] {
  const found: string[] = [];
  words.forEach((word, index) => {
    const assignment = /^(--?)?([A-Za-z_][\w-]*)=(.+)$/s.exec(word);
    if (assignment !== null && SECRET_NAME.test(assignment[2] as string)) found.push(assignment[3] as string);
    else if (/^--?[\w-]+$/.test(word) && SECRET_NAME.test(word.replace(/^-+/, "")) && index + 1 < words.length) found.push(words[index + 1] as string);
    for (const part of word.split(/[=\s]/)) {
      const password = urlPassword(part);
      if (password !== undefined) found.push(decodeURIComponent(password), password);
    }
  });
  const secrets = found.filter((value) => value.length >= MIN_SECRET_LENGTH);
  for (const value of secrets) registerSecret(value);
  return secrets;
}
