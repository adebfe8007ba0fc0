import { describe, expect, it } from "vitest";
import { compileGlob, GlobError } from "../../catalogs/index.js";

describe("compileGlob", () => {
  it("matches whole names: * any run, ? one character, sets and ranges, ! to negate; everything else literally", () => {
    const cases: Array<[string, string[], string[]]> = [
      ["orders", ["orders"], ["orders2", "Orders", "xorders"]],
      ["raw_*", ["raw_", "raw_orders", "raw_a.b"], ["raw", "xraw_a"]],
      ["*_v?", ["a_v1", "_v2"], ["a_v12", "a_v"]],
      ["s[0-9][!a-c]", ["s1d", "s9_"], ["s1a", "sxd", "s1"]],
      ["a.b+(c)", ["a.b+(c)"], ["axb+(c)", "a.bb(c)"]],
      ["**", ["", "anything"], []],
      ["[ab", ["[ab"], ["a"]],
      ["*é?", ["caféé", "éx"], ["é"]],
      ["__proto__", ["__proto__"], ["constructor"]],
    ];
    for (const [glob, yes, no] of cases) {
      const compiled = compileGlob(glob);
      for (const name of yes) expect(compiled.test(name), `${glob} ~ ${name}`).toBe(true);
      for (const name of no) expect(compiled.test(name), `${glob} !~ ${name}`).toBe(false);
    }
  });

  it("answers in linear time on globs a backtracking regular expression takes minutes on", () => {
    // As RegExps, these blocked the event loop for minutes (the first) and 4.5 s (the second); a hang fails this test by its timeout.
    expect(compileGlob("*a*a*a*a*a*a*a*a*a*a*a*a*a*b").test("a".repeat(40))).toBe(false);
    expect(compileGlob("*_*_*_*_x").test("_".repeat(300))).toBe(false);
    expect(compileGlob("*a*a*a*a*a*a*a*a*a*a*a*a*a*b").test(`${"a".repeat(40)}b`)).toBe(true);
  });

  it("refuses a range that runs backwards", () => {
    expect(() => compileGlob("[z-a].*")).toThrow(GlobError);
    expect(() => compileGlob("[z-a].*")).toThrow('the glob "[z-a].*" has the range [z-a], which runs backwards');
  });
});
