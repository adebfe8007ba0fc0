import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/**
 * The folder holding Agora's package.json, found upwards from this module:
 * from source, from dist/ as tsc writes it, or from dist/chunks/ where the
 * bundled executables keep their shared code.
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, "package.json"))) {
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  root = folder;
  return folder;
}

/** A file of the built package (under dist/), by its path there: the same wherever the code asking runs from. */
export function builtFile(...parts: string[]): string {
  return join(packageRoot(), "dist", ...parts);
}
