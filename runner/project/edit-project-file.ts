import { readFileSync, writeFileSync } from "node:fs";
import { parse as parseToml } from "smol-toml";
import { UsageError } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";

/**
 * Sets one key of a connector's `config` in pipelines.toml, editing only
 * the line that holds it, so every comment and the rest of the layout stay
 * as the user wrote them: the `config = { … }` line of `[connectors.NAME]`,
 * or the key's line in a `[connectors.NAME.config]` table, or a new
 * `config = { KEY = VALUE }` line under the connector's header.
 */
export function setConnectorConfig(file: string, connector: string, key: string, value: unknown): void {
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  const header = lines.findIndex((line) => isHeader(line, ["connectors", connector]));
  if (header === -1) {
    throw new UsageError(RunnerCodes.CONNECTOR_NOT_FOUND, `pipelines.toml has no [connectors.${connector}] table to edit`, {
      where: { file },
      hint: "Only a connector declared in [connectors] has a config to set (add one with `agora add`).",
    });
  }
  const end = tableEnd(lines, header);
  const configLine = lines.findIndex((line, index) => index > header && index < end && /^\s*config\s*=/.test(line));
  const subTable = lines.findIndex((line) => isHeader(line, ["connectors", connector, "config"]));
  if (configLine !== -1) {
    const { body, comment } = splitComment(lines[configLine] as string);
    let current: Record<string, unknown>;
    try {
      current = (parseToml(body) as { config: Record<string, unknown> }).config;
    } catch {
      throw new UsageError(RunnerCodes.USAGE, `the config of ${connector} spans several lines; set ${key} by editing pipelines.toml`, {
        where: { file, line: configLine + 1 },
        hint: "agora config … set edits a config written on one line, or in a [connectors.NAME.config] table.",
      });
    }
    lines[configLine] = `${body.match(/^\s*/)?.[0] ?? ""}config = ${inlineValue({ ...current, [key]: value })}${comment}`;
  } else if (subTable !== -1) {
    const subEnd = tableEnd(lines, subTable);
    const keyLine = lines.findIndex((line, index) => index > subTable && index < subEnd && keyOfLine(line) === key);
    const written = `${tomlKey(key)} = ${inlineValue(value)}`;
    if (keyLine !== -1) lines[keyLine] = `${written}${splitComment(lines[keyLine] as string).comment}`;
    else lines.splice(lastContentLine(lines, subTable, subEnd) + 1, 0, written);
  } else {
    lines.splice(header + 1, 0, `config = ${inlineValue({ [key]: value })}`);
  }
  writeFileSync(file, lines.join("\n"));
}

/** A TOML value as one line (tables inline). */
export function inlineValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(inlineValue).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).map(([key, item]) => `${tomlKey(key)} = ${inlineValue(item)}`);
    return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
  }
  throw new UsageError(RunnerCodes.USAGE, "TOML has no null: leave the setting out instead", { hint: "Remove the key from pipelines.toml." });
}

function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

/** True for a `[a.b]` header naming exactly these keys (bare or quoted). */
function isHeader(line: string, path: readonly string[]): boolean {
  const match = /^\s*\[([^[\]]+)\]\s*(#.*)?$/.exec(line);
  if (match === null) return false;
  try {
    const parsed = parseToml(`${match[1] as string} = 1`);
    let node: unknown = parsed;
    for (const part of path) {
      if (typeof node !== "object" || node === null || !Object.hasOwn(node, part)) return false;
      node = (node as Record<string, unknown>)[part];
    }
    return node === 1;
  } catch {
    return false;
  }
}

/** The index after the last line of the table whose header is at `header`. */
function tableEnd(lines: readonly string[], header: number): number {
  const next = lines.findIndex((line, index) => index > header && /^\s*\[/.test(line));
  return next === -1 ? lines.length : next;
}

function lastContentLine(lines: readonly string[], header: number, end: number): number {
  let last = header;
  for (let index = header + 1; index < end; index += 1) if ((lines[index] as string).trim() !== "") last = index;
  return last;
}

function keyOfLine(line: string): string | undefined {
  const match = /^\s*("(?:[^"\\]|\\.)*"|[A-Za-z0-9_-]+)\s*=/.exec(line);
  if (match === null) return undefined;
  const raw = match[1] as string;
  return raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
}

/** A line cut into its TOML and its trailing comment (outside strings). */
function splitComment(line: string): { readonly body: string; readonly comment: string } {
  let quote: string | undefined;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index];
    if (quote !== undefined) {
      if (char === "\\" && quote === '"') index += 1;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === "#") {
      const body = line.slice(0, index).trimEnd();
      return { body, comment: line.slice(body.length) };
    }
  }
  return { body: line, comment: "" };
}
