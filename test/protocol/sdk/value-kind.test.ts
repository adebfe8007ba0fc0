import { describe, expect, it } from "vitest";
import { valueKind } from "../../../protocol/index.js";
import { PROPERTY_CASES as CASES } from "../../helpers/property-kinds.js";


describe("valueKind: one reading of a property for every target", () => {
  it.each(CASES)("reads %s", (_what, schema, kind) => {
    expect(valueKind(schema)).toBe(kind);
  });
});
