import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../helpers/processes.js";

describe("createAjv", () => {
  it("loads ajv at its first call, not when the SDK is imported", () => {
    // A fresh Node process (vitest's own workers have long loaded ajv), running the source as tsx does.
    const script = `import { createRequire } from "node:module";
const sdk = await import("./protocol/index.ts");
const cache = createRequire(import.meta.url).cache;
const ajvFiles = () => Object.keys(cache).filter((file) => file.includes("/node_modules/ajv")).length;
const before = ajvFiles();
const valid = sdk.createAjv({}, "draft-04").compile({ type: "string", format: "date-time" })("2020-01-01T00:00:00Z");
console.log(JSON.stringify({ before, after: ajvFiles() > 0, valid }));`;
    const output = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" });
    expect(JSON.parse(output)).toEqual({ before: 0, after: true, valid: true });
  });
});
