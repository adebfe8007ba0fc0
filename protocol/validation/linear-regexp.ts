import { RE2JS } from "re2js";

/** What ajv calls on a compiled `pattern`. */
interface RegExpLike {
  test(value: string): boolean;
  /** ajv keys its compiled patterns by this: it must differ for different patterns. */
  toString(): string;
}

/**
 * ajv's engine for schema `pattern`s: RE2 (re2js, pure JS), which matches in
 * time linear in the input, so a pattern such as `^(a+)+$` cannot stall the
 * runner on a hostile value. RE2 has no lookarounds or backreferences: a
 * pattern that uses them falls back to the built-in engine (such patterns
 * are rare in Singer schemas, and are the only ones left unprotected).
 */
export function linearRegExp(pattern: string, flags: string): RegExpLike {
  try {
    const compiled = RE2JS.compile(pattern, flags.includes("i") ? RE2JS.CASE_INSENSITIVE : 0);
    return { test: (value: string) => compiled.matcher(value).find(), toString: () => `re2:/${pattern}/${flags}` };
  } catch {
    return new RegExp(pattern, flags);
  }
}
// ajv asks for the engine's source for standalone code, which Agora never generates.
linearRegExp.code = "linearRegExp";
