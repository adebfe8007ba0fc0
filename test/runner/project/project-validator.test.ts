import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { projectValidatorSource } from "../../../runner/project/project-validator-source.js";
import { validate } from "../../../runner/project/project-validator.generated.js";
import { ROOT } from "../../helpers/processes.js";

describe("the project file's validator, compiled ahead of time", () => {
  it("is what PROJECT_SCHEMA compiles to today (run `npm run generate` after changing the schema)", () => {
    const committed = readFileSync(join(ROOT, "runner", "project", "project-validator.generated.js"), "utf8");
    expect(committed === projectValidatorSource(), "runner/project/project-validator.generated.js is stale: run `npm run generate`").toBe(true);
  });

  it("fills in the schema's defaults and refuses what the schema refuses, naming where", () => {
    const project: Record<string, unknown> = { pipelines: { p: { tap: "tap-sample", target: "target-jsonl" } } };
    expect(validate(project)).toBe(true);
    expect(project["state_store"]).toBe(".agora/state.db");
    expect((project["pipelines"] as Record<string, Record<string, unknown>>)["p"]?.["on_error"]).toBe("dlq");

    expect(validate({ pipelines: { p: { tap: "tap-sample", target: "target-jsonl", on_error: "ignore" } } })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ instancePath: "/pipelines/p/on_error", keyword: "enum" });
    expect(validate({ pipelines: { p: { tap: "tap-sample", target: "target-jsonl", colour: "red" } } })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ keyword: "additionalProperties", params: { additionalProperty: "colour" } });
  });
});
