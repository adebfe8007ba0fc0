import type { JsonSchema } from "../messages/types.js";

export type ConnectorKind = "tap" | "target";

/** What `--about` prints: who the connector is and what it can do. */
export interface AboutInfo {
  readonly name: string;
  readonly kind: ConnectorKind;
  readonly version: string;
  readonly description: string;
  readonly sdk: string;
  readonly capabilities: readonly string[];
  /** A target's: the BATCH formats it reads (a runner expands other batches into RECORDs for it). */
  readonly batch_formats?: readonly string[];
  readonly settings: JsonSchema;
}

interface SettingRow {
  readonly name: string;
  readonly type: string;
  readonly required: boolean;
  readonly defaultValue: unknown;
  readonly description: string;
  readonly secret: boolean;
}

function typeLabel(schema: JsonSchema): string {
  const type = schema["type"];
  const label = Array.isArray(type) ? type.join(" \\| ") : typeof type === "string" ? type : "any";
  if (Array.isArray(schema["enum"])) return `${label}: ${(schema["enum"] as unknown[]).map((value) => `\`${String(value)}\``).join(", ")}`;
  if (type === "array") {
    const items = schema["items"];
    if (typeof items === "object" && items !== null) return `array of ${typeLabel(items as JsonSchema)}`;
  }
  return label;
}

/** Flattens a settings schema into rows: nested objects as `a.b`, arrays of objects as `a[].b`. */
function settingRows(schema: JsonSchema, prefix = ""): SettingRow[] {
  const properties = (schema["properties"] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema["required"] ?? []) as string[]);
  const rows: SettingRow[] = [];
  for (const [name, property] of Object.entries(properties)) {
    const fullName = `${prefix}${name}`;
    rows.push({
      name: fullName,
      type: typeLabel(property),
      required: required.has(name),
      defaultValue: property["default"],
      description: typeof property["description"] === "string" ? property["description"] : "",
      secret: property["secret"] === true || property["writeOnly"] === true,
    });
    if (property["type"] === "object" && property["properties"] !== undefined) {
      rows.push(...settingRows(property, `${fullName}.`));
    }
    const items = property["items"] as JsonSchema | undefined;
    if (property["type"] === "array" && items?.["type"] === "object") {
      rows.push(...settingRows(items, `${fullName}[].`));
    }
  }
  return rows;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** The `--about --format markdown` page: the source of each connector's docs. */
export function renderAboutMarkdown(about: AboutInfo): string {
  const rows = settingRows(about.settings);
  const lines = [
    `# ${about.name}`,
    "",
    about.description,
    "",
    `A Singer ${about.kind}, version ${about.version}, built on ${about.sdk}.`,
    "",
    "## Capabilities",
    "",
    ...about.capabilities.map((capability) => `- \`${capability}\``),
    "",
    "## Settings",
    "",
  ];
  if (rows.length === 0) {
    lines.push("This connector has no settings.");
  } else {
    lines.push("| Setting | Type | Required | Default | Description |", "| --- | --- | --- | --- | --- |");
    for (const row of rows) {
      const defaultValue = row.defaultValue === undefined ? "" : `\`${JSON.stringify(row.defaultValue)}\``;
      const description = row.secret ? `${row.description} (secret)`.trim() : row.description;
      lines.push(`| \`${row.name}\` | ${cell(row.type)} | ${row.required ? "yes" : "no"} | ${cell(defaultValue)} | ${cell(description)} |`);
    }
  }
  lines.push(
    "",
    "## Usage",
    "",
    "```sh",
    `${about.name} --about --format markdown   # this page`,
    `${about.name} --config config.json --test_connection`,
    ...(about.kind === "tap"
      ? [`${about.name} --config config.json --discover > catalog.json`, `${about.name} --config config.json --catalog catalog.json --state state.json`]
      : [`tap-sample | ${about.name} --config config.json   # or any other tap's output`]),
    "```",
    "",
  );
  return lines.join("\n");
}
