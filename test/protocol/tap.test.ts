import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { connectorBin } from "../helpers/processes.js";

/** Every file of the build a module loads before it runs: its static imports, and theirs. */
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const source = readFileSync(file, "utf8");
  for (const match of source.matchAll(/^(?:import|export)\b[^;]*?from\s*"(\.[^"]+)"|^import\s*"(\.[^"]+)"/gm)) {
    staticImports(resolve(dirname(file), (match[1] ?? match[2]) as string), seen);
  }
  return seen;
}

/** The packages whose code a built executable loads at start (esbuild marks each bundled file with a `// node_modules/...` line). */
function packagesLoadedAtStart(bin: string): Set<string> {
  const packages = new Set<string>();
  for (const file of staticImports(bin)) {
    for (const match of readFileSync(file, "utf8").matchAll(/^\/\/ node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)) packages.add(match[1] as string);
  }
  return packages;
}

describe("the taps' SDK (protocol/tap.ts)", () => {
  it("keeps record validation out of our taps' start: none of them loads ajv, which every target loads", () => {
    for (const tap of ["tap-csv", "tap-jsonl", "tap-parquet", "tap-rest", "tap-sample"]) {
      const loaded = packagesLoadedAtStart(connectorBin(tap));
      expect(loaded, tap).toContain("commander");
      expect(
        [...loaded].filter((name) => name.startsWith("ajv")),
        tap,
      ).toEqual([]);
    }
    expect(packagesLoadedAtStart(connectorBin("target-jsonl"))).toContain("ajv");
  });

  it("is part of the whole SDK: protocol/index.ts exports everything it does", async () => {
    const tap = await import("../../protocol/tap.js");
    const whole = await import("../../protocol/index.js");
    expect(Object.keys(tap).filter((name) => !(name in whole))).toEqual([]);
  });
});
