import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** Every file of the build a module loads before it runs: its static imports, and theirs. */
export function staticImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const source = readFileSync(file, "utf8");
  for (const match of source.matchAll(/^(?:import|export)\b[^;]*?from\s*"(\.[^"]+)"|^import\s*"(\.[^"]+)"/gm)) {
    staticImports(resolve(dirname(file), (match[1] ?? match[2]) as string), seen);
  }
  return seen;
}

/**
 * Every file of the build an executable loads at start: its static imports,
 * and the rest of itself, which it imports once the compile cache is on
 * (`await import("...")` at its top level), with theirs.
 */
export function loadedAtStart(bin: string): Set<string> {
  const files = staticImports(bin);
  for (const match of readFileSync(bin, "utf8").matchAll(/^(?:var|const) \{[^}]*\} = await import\("(\.[^"]+)"\)/gm)) {
    staticImports(resolve(dirname(bin), match[1] as string), files);
  }
  return files;
}

/** The packages whose code a built executable loads at start (esbuild marks each bundled file with a `// node_modules/...` line). */
export function packagesLoadedAtStart(bin: string): Set<string> {
  const packages = new Set<string>();
  for (const file of loadedAtStart(bin)) {
    for (const match of readFileSync(file, "utf8").matchAll(/^\/\/ node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)) packages.add(match[1] as string);
  }
  return packages;
}
