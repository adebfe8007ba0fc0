import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { connectorBins, connectorDocPath, connectorMarkdown } from "../../docs/generate-connector-docs.js";

describe("docs/connectors", () => {
  it.each(connectorBins())("%s.md is what `--about --format markdown` prints (run `npm run docs` if not)", (name, binPath) => {
    const path = connectorDocPath(name);
    expect(existsSync(path), `${path} is missing: run npm run docs`).toBe(true);
    expect(readFileSync(path, "utf8")).toBe(connectorMarkdown(binPath));
  });
});
