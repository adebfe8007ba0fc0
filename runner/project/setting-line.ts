import { readFileSync } from "node:fs";

/** `orders`, `"orders"` or `'orders'`: the ways TOML may write a key. */
function keyPattern(key: string): string {
  const literal = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const bare = /^[A-Za-z0-9_-]+$/.test(key) ? `|(?<![\\w"'-])${literal}(?![\\w-])` : "";
  return `(?:"${literal.replace(/"/g, '\\\\"')}"|'${literal}'${bare})`;
}

/**
 * The line (1-based) of a setting in a TOML file, found by its key path
 * (["pipelines", "daily", "metadata", "orders"]): the line of the deepest key
 * of the path found, under the table that holds it. Undefined when the file
 * cannot be read or the first key is not there. A best effort for error
 * messages (smol-toml keeps no positions), never for meaning.
 */
export function settingLine(file: string, path: readonly string[]): number | undefined {
  let lines: string[];
  try {
    lines = readFileSync(file, "utf8").split(/\r?\n/);
  } catch {
    return undefined;
  }
  let found: number | undefined;
  let from = 0;
  for (let depth = path.length; depth >= 1 && found === undefined; depth -= 1) {
    // A table header naming the path so far ([pipelines.daily] or [pipelines.daily.metadata]) starts the search there.
    const header = new RegExp(`^\\s*\\[+\\s*${path.slice(0, depth).map(keyPattern).join("\\s*\\.\\s*")}\\s*\\]+`);
    const at = lines.findIndex((line) => header.test(line));
    if (at !== -1) {
      from = at;
      found = at;
      // The keys after the header, each searched for after the previous one.
      for (const key of path.slice(depth)) {
        const pattern = new RegExp(`${keyPattern(key)}\\s*(?:=|\\.)`);
        const next = lines.findIndex((line, index) => index >= from && pattern.test(line));
        if (next === -1) break;
        from = next;
        found = next;
      }
    }
  }
  return found === undefined ? undefined : found + 1;
}
