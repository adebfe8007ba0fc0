import { describe, expect, it } from "vitest";
import { createAjv, RecordValidator } from "../../../protocol/index.js";

describe("schema patterns", () => {
  it("match in linear time: a catastrophic pattern on a hostile value answers at once (a backtracking engine takes seconds to minutes, and this test then times out)", () => {
    const validate = createAjv().compile({ type: "string", pattern: "^(a+)+$" });
    expect(validate(`${"a".repeat(30)}!`)).toBe(false);
    expect(validate("a".repeat(30))).toBe(true);
  });

  it("keeps each pattern of a schema apart, with \\d, classes, Unicode properties and anchors as ECMA-262 has them", () => {
    const validate = createAjv().compile({
      type: "object",
      properties: {
        code: { type: "string", pattern: "^\\d{3}-[A-Z]{2}$" },
        word: { type: "string", pattern: "^\\p{L}+$" },
        part: { type: "string", pattern: "ab" },
      },
    });
    expect(validate({ code: "123-AB", word: "café", part: "xaby" })).toBe(true);
    expect(validate({ code: "12-AB" })).toBe(false);
    expect(validate({ word: "caf3" })).toBe(false);
    expect(validate({ part: "a-b" })).toBe(false);
  });

  it("falls back to the built-in engine for what RE2 lacks (lookarounds, backreferences)", () => {
    const validate = createAjv().compile({ type: "string", pattern: "^(\\w)\\1(?=!)" });
    expect(validate("aa!")).toBe(true);
    expect(validate("ab!")).toBe(false);
  });

  it("a record whose value would stall a backtracking engine is just invalid", () => {
    const validator = new RecordValidator();
    validator.setSchema("s", { type: "object", properties: { name: { type: "string", pattern: "^(a+)+$" } } }, 1);
    expect(validator.validate("s", { name: `${"a".repeat(30)}!` }, 2)?.message).toContain("must match pattern");
    expect(validator.validate("s", { name: "aaa" }, 3)).toBeUndefined();
  });
});

describe("ECMAScript meaning of \\s, \\S and . on RE2", () => {
  const matches = (pattern: string, value: string): boolean => createAjv().compile({ type: "string", pattern })(value) as boolean;

  it("\\s holds Unicode spaces as ECMAScript's does (no-break space, em space, BOM), \\S does not", () => {
    for (const space of ["\u00a0", "\u2003", "\ufeff", "\u3000", "\u000b", " ", "\t"]) {
      expect(matches("^a\\sb$", `a${space}b`), JSON.stringify(space)).toBe(/^a\sb$/u.test(`a${space}b`));
      expect(matches("^a\\sb$", `a${space}b`)).toBe(true);
      expect(matches("^\\S$", space)).toBe(false);
      expect(matches("^[\\sx]$", space)).toBe(true);
    }
    expect(matches("^\\S+$", "abc")).toBe(true);
  });

  it(". stops at every ECMAScript line terminator; an escaped backslash and classes with ] stay as they are", () => {
    expect(matches("^a.b$", "a\u2028b")).toBe(false);
    expect(matches("^a.b$", "a\rb")).toBe(false);
    expect(matches("^a.b$", "axb")).toBe(true);
    expect(matches("^\\\\s$", "\\s")).toBe(true);
    expect(matches("^[.]$", "x")).toBe(false);
    expect(matches("^[^\\S]$", "\u00a0")).toBe(true);
  });
});
