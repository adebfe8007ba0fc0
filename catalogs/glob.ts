/** One element of a compiled glob. */
type Token =
  | { readonly kind: "star" }
  | { readonly kind: "one" }
  | { readonly kind: "char"; readonly char: string }
  | { readonly kind: "set"; readonly negated: boolean; readonly ranges: ReadonlyArray<readonly [number, number]> };

/** A glob that does not parse: `[z-a]` (a range backwards). */
export class GlobError extends Error {}

/** A compiled shell glob: `test(name)` says whether the whole name matches. */
export interface Glob {
  readonly source: string;
  test(name: string): boolean;
}

/** The ranges of a set's body (`a-z0-9_`); a `-` first or last is itself. */
function setRanges(glob: string, body: string): Array<readonly [number, number]> {
  const characters = [...body];
  const ranges: Array<readonly [number, number]> = [];
  for (let index = 0; index < characters.length; index += 1) {
    const from = characters[index] as string;
    const to = characters[index + 2];
    if (characters[index + 1] === "-" && to !== undefined) {
      const [low, high] = [from.codePointAt(0) as number, to.codePointAt(0) as number];
      if (low > high) throw new GlobError(`the glob ${JSON.stringify(glob)} has the range [${from}-${to}], which runs backwards`);
      ranges.push([low, high]);
      index += 2;
    } else {
      const code = from.codePointAt(0) as number;
      ranges.push([code, code]);
    }
  }
  return ranges;
}

function parse(glob: string): Token[] {
  const tokens: Token[] = [];
  const characters = [...glob];
  for (let index = 0; index < characters.length; index += 1) {
    const char = characters[index] as string;
    if (char === "*") {
      // `**` is `*`: consecutive stars match what one does.
      if (tokens.at(-1)?.kind !== "star") tokens.push({ kind: "star" });
    } else if (char === "?") tokens.push({ kind: "one" });
    else if (char === "[") {
      const end = characters.indexOf("]", index + 2);
      if (end === -1) tokens.push({ kind: "char", char });
      else {
        const body = characters.slice(index + 1, end).join("");
        const negated = body.startsWith("!");
        tokens.push({ kind: "set", negated, ranges: setRanges(glob, negated ? body.slice(1) : body) });
        index = end;
      }
    } else tokens.push({ kind: "char", char });
  }
  return tokens;
}

function matchesOne(token: Exclude<Token, { kind: "star" }>, char: string): boolean {
  if (token.kind === "one") return true;
  if (token.kind === "char") return token.char === char;
  const code = char.codePointAt(0) as number;
  const inside = token.ranges.some(([low, high]) => code >= low && code <= high);
  return inside !== token.negated;
}

/**
 * Whether `name` matches the tokens, in O(name × glob) at worst: on a
 * mismatch only the last star takes one more character (what a star
 * before it matched could not help a later one), so no input backtracks
 * exponentially, as `*a*a*a*a*b` did as a regular expression.
 */
function matches(tokens: readonly Token[], name: readonly string[]): boolean {
  let at = 0;
  let token = 0;
  let starToken = -1;
  let starAt = 0;
  while (at < name.length) {
    const current = tokens[token];
    if (current !== undefined && current.kind !== "star" && matchesOne(current, name[at] as string)) {
      at += 1;
      token += 1;
    } else if (current?.kind === "star") {
      starToken = token;
      starAt = at;
      token += 1;
    } else if (starToken !== -1) {
      starAt += 1;
      at = starAt;
      token = starToken + 1;
    } else return false;
  }
  while (tokens[token]?.kind === "star") token += 1;
  return token === tokens.length;
}

/**
 * Shell globs on names: `*` any run, `?` one character, `[abc]`, `[a-z]`,
 * `[!abc]` a set. Everything else is literal. Matching takes time linear in
 * the name for each part of the glob, whatever the glob; a range that runs
 * backwards (`[z-a]`) is a GlobError.
 */
export function compileGlob(glob: string): Glob {
  const tokens = parse(glob);
  return { source: glob, test: (name: string) => matches(tokens, [...name]) };
}

/** True if `name` contains a glob character, so it may match several names. */
export function isGlob(name: string): boolean {
  return /[*?[]/.test(name);
}
