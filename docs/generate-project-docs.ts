/**
 * Writes the settings tables of pipelines.toml into docs/runner.md (between
 * the `settings` markers) from PROJECT_SCHEMA, so the documented defaults
 * are the ones the runner applies. `npm run docs` runs it; a test checks the
 * page is current.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PROJECT_SCHEMA } from "../runner/project/project-schema.js";
import { findRoot } from "./repo-root.js";

type Schema = { readonly [key: string]: unknown };

const START = "<!-- settings:start (generated from runner/project/project-schema.ts by `npm run docs`) -->";
const END = "<!-- settings:end -->";

function typeOf(schema: Schema): string {
  if (Array.isArray(schema["enum"])) return (schema["enum"] as unknown[]).map((value) => `\`${JSON.stringify(value)}\``).join(" \\| ");
  if (Array.isArray(schema["oneOf"])) return "name or table";
  const type = schema["type"];
  if (Array.isArray(type)) return type.join(" \\| ");
  if (type === "array") return `array of ${typeOf((schema["items"] ?? {}) as Schema)}`;
  return typeof type === "string" ? type : "any";
}

function table(title: string, properties: Readonly<Record<string, Schema>>, required: readonly string[] = []): string[] {
  const lines = [`### ${title}`, "", "| Setting | Type | Default | Description |", "| --- | --- | --- | --- |"];
  for (const [name, schema] of Object.entries(properties)) {
    const fallback = schema["default"] === undefined ? (required.includes(name) ? "required" : "") : `\`${JSON.stringify(schema["default"])}\``;
    lines.push(`| \`${name}\` | ${typeOf(schema)} | ${fallback} | ${String(schema["description"] ?? "").replace(/\|/g, "\\|")} |`);
  }
  return [...lines, ""];
}

/** The generated block, markers included. */
export function projectSettingsMarkdown(): string {
  const root = PROJECT_SCHEMA.properties;
  const pipeline = root.pipelines.additionalProperties;
  const connector = root.connectors.additionalProperties;
  return [
    START,
    "",
    ...table("Top level", { state_store: root.state_store }),
    ...table("`[connectors.NAME]` (or an inline table as a pipeline's `tap` or target)", connector.properties, connector.required),
    ...table("`[pipelines.NAME]`", pipeline.properties, pipeline.required),
    ...table("`[pipelines.NAME.schedule]`", pipeline.properties.schedule.properties),
    ...table("`[worker]`", root.worker.properties),
    END,
  ].join("\n");
}

export const RUNNER_DOC = join(findRoot(), "docs", "runner.md");

/** docs/runner.md with the generated block replaced. */
export function withProjectSettings(page: string): string {
  const start = page.indexOf(START);
  const end = page.indexOf(END);
  if (start === -1 || end === -1) throw new Error(`docs/runner.md has no settings markers (${START} … ${END})`);
  return `${page.slice(0, start)}${projectSettingsMarkdown()}${page.slice(end + END.length)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = process.argv[2] ?? RUNNER_DOC;
  writeFileSync(path, withProjectSettings(readFileSync(path, "utf8")));
  process.stdout.write(`${path}: pipelines.toml settings\n`);
}
