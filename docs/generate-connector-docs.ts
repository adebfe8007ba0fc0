/**
 * `npm run docs`: writes docs/connectors/<name>.md for every connector in
 * package.json's `bin`, from the connector's own `--about --format markdown`,
 * so a settings table can never drift from the code. A test checks the files
 * are current.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { findRoot } from "./repo-root.js";

const root = findRoot();

/** Connector names and their built entry points, from package.json. */
export function connectorBins(): Array<[string, string]> {
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { bin: Record<string, string> };
  return Object.entries(manifest.bin).filter(([name]) => name.startsWith("tap-") || name.startsWith("target-"));
}

export function connectorMarkdown(binPath: string): string {
  return execFileSync(process.execPath, [join(root, binPath), "--about", "--format", "markdown"], { encoding: "utf8" });
}

export function connectorDocPath(name: string): string {
  return join(root, "docs", "connectors", `${name}.md`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(join(root, "docs", "connectors"), { recursive: true });
  for (const [name, binPath] of connectorBins()) {
    writeFileSync(connectorDocPath(name), connectorMarkdown(binPath));
    process.stdout.write(`docs/connectors/${name}.md\n`);
  }
}
