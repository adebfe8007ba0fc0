import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeJsonIn } from "../../helpers/files.js";
import { input, recordLine, schemaLine, stateLine } from "../../helpers/messages.js";
import { connectorBin, jsonLines, runNode, tempDir } from "../../helpers/processes.js";

const target = connectorBin("target-csv");
const dir = tempDir();
let runs = 0;

function destination(settings: Record<string, unknown> = {}): { config: string; out: string } {
  runs += 1;
  const out = join(dir, `out-${runs}`);
  return { out, config: writeJsonIn(dir, `t-${runs}.json`, { destination_path: out, ...settings }) };
}

const PROPS = { id: { type: "integer" }, name: { type: ["null", "string"] }, ok: { type: "boolean" }, meta: { type: ["null", "object"] } };

describe("target-csv", () => {
  it("writes a header and quoted, typed cells, and confirms the STATE", async () => {
    const { config, out } = destination();
    const result = await runNode(target, ["--config", config], {
      input: input(schemaLine("people", PROPS, ["id"]), recordLine("people", { id: 1, name: 'Ann, "the" first', ok: true, meta: { a: [1] } }), recordLine("people", { id: 2, name: null, ok: false }), stateLine(2)),
    });
    expect(result.exitCode).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([2]);
    expect(readFileSync(join(out, "people.csv"), "utf8")).toBe('id,name,ok,meta\n1,"Ann, ""the"" first",true,"{""a"":[1]}"\n2,,false,\n');
  });

  it("appends to a file with the same header on the next run", async () => {
    const { config, out } = destination();
    const schema = schemaLine("p", { id: { type: "integer" } });
    await runNode(target, ["--config", config], { input: input(schema, recordLine("p", { id: 1 })) });
    await runNode(target, ["--config", config], { input: input(schema, recordLine("p", { id: 2 })) });
    expect(readFileSync(join(out, "p.csv"), "utf8")).toBe("id\n1\n2\n");
  });

  it("continues in a new file when the schema gains a column", async () => {
    const { config, out } = destination({ delimiter: "\t" });
    const result = await runNode(target, ["--config", config], {
      input: input(schemaLine("p", { id: { type: "integer" } }), recordLine("p", { id: 1 }), schemaLine("p", { id: { type: "integer" }, extra: { type: "string" } }), recordLine("p", { id: 2, extra: "x" })),
    });
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(out, "p.csv"), "utf8")).toBe("id\n1\n");
    expect(readFileSync(join(out, "p-2.csv"), "utf8")).toBe("id\textra\n2\tx\n");
    expect(existsSync(join(out, "p-3.csv"))).toBe(false);
  });
});
