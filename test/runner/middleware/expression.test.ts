import { describe, expect, it } from "vitest";
import { evaluate } from "../../../runner/middleware/expression/evaluate.js";
import { parseExpression } from "../../../runner/middleware/expression/parse.js";

const record = {
  status: "paid",
  total: 120.5,
  quantity: 3,
  unit_price: 2.5,
  name: "Ann",
  tags: ["vip"],
  address: { city: "Zürich" },
  missing: null,
  "order id": 7,
};
const value = (source: string): unknown => evaluate(parseExpression(source), record);

describe("expressions", () => {
  it.each([
    ['status == "paid" and total > 100', true],
    ['status != "paid" or total < 100', false],
    ["not (total >= 200)", true],
    ["quantity * unit_price", 7.5],
    ["total - 0.5 + 1", 121],
    ["-quantity", -3],
    ["quantity % 2", 1],
    ['address.city == "Zürich"', true],
    ['status in ["paid", "refunded"]', true],
    ['status not in ["paid"]', false],
    ['"vip" in tags', true],
    ["missing == null", true],
    ["nope == null", true],
    ['lower(name) + "-" + upper(status)', "ann-PAID"],
    ["len(tags) + len(name)", 4],
    ['coalesce(missing, nope, "x")', "x"],
    ["round(total / 7, 2)", 17.21],
    ["`order id` > 5", true],
    ['concat(name, " ", quantity)', "Ann 3"],
    ['starts_with(name, "A") and contains(tags, "vip")', true],
    ["total / 0", null],
    ['number("12") > 11', true],
  ])("%s → %j", (source, expected) => {
    expect(value(source)).toEqual(expected);
  });

  it.each([
    ["total >", /unexpected end/],
    ['status == "paid', /unterminated string/],
    ["drop_table(users)", /unknown function drop_table\(\)/],
    ["total ; 1", /unexpected ";"/],
    ["(total", /expected "\)"/],
  ])("rejects %s with a clear message", (source, message) => {
    expect(() => parseExpression(source)).toThrowError(message);
  });
});
