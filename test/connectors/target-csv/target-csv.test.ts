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
      input: input(
        schemaLine("people", PROPS, ["id"]),
        recordLine("people", { id: 1, name: 'Ann, "the" first', ok: true, meta: { a: [1] } }),
        recordLine("people", { id: 2, name: null, ok: false }),
        stateLine(2),
      ),
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
      input: input(
        schemaLine("p", { id: { type: "integer" } }),
        recordLine("p", { id: 1 }),
        schemaLine("p", { id: { type: "integer" }, extra: { type: "string" } }),
        recordLine("p", { id: 2, extra: "x" }),
      ),
    });
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(out, "p.csv"), "utf8")).toBe("id\n1\n");
    expect(readFileSync(join(out, "p-2.csv"), "utf8")).toBe("id\textra\n2\tx\n");
    expect(existsSync(join(out, "p-3.csv"))).toBe(false);
  });

  it("keeps columns named __proto__ and constructor as data, empty where a record lacks them", async () => {
    const { config, out } = destination();
    const text = '{"type":["null","string"]}';
    // JSON text: in an object literal, __proto__ would set the prototype instead of naming a property.
    const schema = `{"type":"SCHEMA","stream":"p","schema":{"type":"object","properties":{"id":{"type":"integer"},"__proto__":${text},"constructor":${text},"toString":${text}}},"key_properties":[]}`;
    const withAll = '{"type":"RECORD","stream":"p","record":{"id":1,"__proto__":"p1","constructor":"c1","toString":"t1"}}';
    const result = await runNode(target, ["--config", config], { input: `${schema}\n${withAll}\n${recordLine("p", { id: 2 })}\n${stateLine(1)}\n` });
    expect(result.exitCode, result.stderr).toBe(0);
    // A record lacking them must not print what objects inherit (Object's constructor, its toString).
    expect(readFileSync(join(out, "p.csv"), "utf8")).toBe("id,__proto__,constructor,toString\n1,p1,c1,t1\n2,,,\n");
  });
});
