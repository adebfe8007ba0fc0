import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { connectorBins, connectorDocPath, connectorMarkdown } from "../../docs/generate-connector-docs.js";
import { RUNNER_DOC, withProjectSettings } from "../../docs/generate-project-docs.js";

describe("docs/connectors", () => {
  it.each(connectorBins())("%s.md is what `--about --format markdown` prints (run `npm run docs` if not)", (name, binPath) => {
    const path = connectorDocPath(name);
    expect(existsSync(path), `${path} is missing: run npm run docs`).toBe(true);
    expect(readFileSync(path, "utf8")).toBe(connectorMarkdown(binPath));
  });
});

describe("docs/runner.md", () => {
  it("has the pipelines.toml settings tables the project schema gives (run `npm run docs` if not)", () => {
    const page = readFileSync(RUNNER_DOC, "utf8");
    expect(page).toBe(withProjectSettings(page));
    expect(page).toContain("| `idle_timeout_seconds` | number | `300` |");
  });
});
