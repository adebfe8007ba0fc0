import { createRequire } from "node:module";
import type { RE2JS } from "re2js";

let re2: typeof RE2JS | undefined;

/**
 * The RE2 engine, loaded the first time a schema has a `pattern`: most
 * schemas have none, and loading it (a quarter of a megabyte of code) cost
 * every connector and agora process about a tenth of its start-up.
 */
function engine(): typeof RE2JS {
  re2 ??= (createRequire(import.meta.url)("re2js") as typeof import("re2js")).RE2JS;
  return re2;
}

/** What ajv calls on a compiled `pattern`. */
interface RegExpLike {
  test(value: string): boolean;
  /** ajv keys its compiled patterns by this: it must differ for different patterns. */
  toString(): string;
}

/**
 * ajv's engine for schema `pattern`s: RE2 (re2js, pure JS), which matches in
 * time linear in the input, so a pattern such as `^(a+)+$` cannot stall the
 * runner on a hostile value. Patterns keep their ECMAScript meaning (what
 * JSON Schema specifies): RE2's `\s` and `.` differ, so they are rewritten
 * first (see ecmaToRe2). RE2 has no lookarounds or backreferences: a pattern
 * that uses them falls back to the built-in engine (such patterns are rare
 * in Singer schemas, and are the only ones left unprotected).
 */
export function linearRegExp(pattern: string, flags: string): RegExpLike {
  const translated = ecmaToRe2(pattern);
  if (translated !== undefined) {
    try {
      const RE2 = engine();
      const compiled = RE2.compile(translated, flags.includes("i") ? RE2.CASE_INSENSITIVE : 0);
      return { test: (value: string) => compiled.matcher(value).find(), toString: () => `re2:/${pattern}/${flags}` };
    } catch {
      // Not RE2 syntax: the built-in engine below.
    }
  }
  return new RegExp(pattern, flags);
}
// ajv asks for the engine's source for standalone code, which Agora never generates.
linearRegExp.code = "linearRegExp";

/** ECMAScript's white space and line terminators, what its `\s` matches (RE2's is ASCII only). */
const ECMA_SPACE = "\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}";
/** ECMAScript's `.` without the s flag: anything but a line terminator (RE2's stops only at \n). */
const ECMA_DOT = "[^\\n\\r\\x{2028}\\x{2029}]";

/**
 * A pattern rewritten so RE2 gives it its ECMAScript meaning: `\s`, `\S` and
 * `.` spelled out as ECMAScript defines them (`\d` and `\w` are ASCII in
 * both). Undefined for `\S` inside a class, which RE2 cannot spell: the
 * built-in engine takes that pattern.
 */
export function ecmaToRe2(pattern: string): string | undefined {
  let out = "";
  let inClass = false;
  for (let index = 0; index < pattern.length; index += 1) {
    const character = pattern[index] as string;
    if (character === "\\") {
      const next = pattern[index + 1];
      index += 1;
      if (next === "s") out += inClass ? ECMA_SPACE : `[${ECMA_SPACE}]`;
      else if (next === "S") {
        if (inClass) return undefined;
        out += `[^${ECMA_SPACE}]`;
      } else out += `\\${next ?? ""}`;
      continue;
    }
    if (inClass) {
      if (character === "]") inClass = false;
      out += character;
      continue;
    }
    if (character === "[") {
      inClass = true;
      out += character;
      // A `]` or `^]` right after the `[` is a member, not the class's end.
      if (pattern[index + 1] === "^") out += pattern[++index];
      if (pattern[index + 1] === "]") out += pattern[++index];
      continue;
    }
    out += character === "." ? ECMA_DOT : character;
  }
  return out;
}
