import { describe, expect, it } from "vitest";
import { splitCommand } from "../../../runner/process/split-command.js";

describe("splitCommand", () => {
  it.each([
    ["tap-csv --config c.json", ["tap-csv", "--config", "c.json"]],
    [`python3 "my tap.py" -c 'a b'`, ["python3", "my tap.py", "-c", "a b"]],
    [`bash -c 'head -n 2 > /dev/null'`, ["bash", "-c", "head -n 2 > /dev/null"]],
    [`echo "say \\"hi\\"" it\\'s`, ["echo", 'say "hi"', "it's"]],
    [`a '' "" b`, ["a", "", "", "b"]],
    ["  spaced   out  ", ["spaced", "out"]],
  ])("splits %s", (command, words) => {
    expect(splitCommand(command)).toEqual(words);
  });

  it("rejects an unterminated quote", () => {
    expect(() => splitCommand("tap 'oops")).toThrowError(/unterminated ' quote/);
  });
});
