import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tableRows, writeIn } from "../../helpers/files.js";
import { agora } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";
import { writeProject } from "../../helpers/pipeline-project.js";

const dir = tempDir("agora-dlq-ours-");

describe("dead letters from our own connectors", () => {
  it("stores a CSV bad row (source) and a value SQLite refuses (sink_write); the pipeline goes on", async () => {
    writeIn(dir, "orders.csv", "id,amount\n1,10\n2,20\n3\n4,forty\n5,50\n");
    // tap-csv infers amount as an integer from its 2-row sample, so rows 3 and 4 are bad rows at the source.
    // To make SQLite refuse a value, a module middleware turns amount 50 into text.
    writeIn(dir, "poison.mjs", "export function transform(record) { return record.amount === 50 ? { ...record, amount: 'fifty' } : record; }\n");
    writeProject(dir, {
      connectors: {
        orders: { command: "tap-csv", config: { files: [{ path: "orders.csv", key_properties: ["id"] }], sample_size: 2, on_bad_row: "dlq" } },
        db: { command: "target-sqlite", config: { database: "out.db", validate_records: false } },
      },
      pipelines: { orders: { tap: "orders", target: "db", validate: false, middleware: [{ type: "module", path: "poison.mjs" }] } },
    });

    const result = await agora(dir, ["run", "orders"]);
    expect(result.exitCode).toBe(0);
    expect(tableRows(join(dir, "out.db"), "orders", "id")).toEqual([
      { id: 1, amount: 10 },
      { id: 2, amount: 20 },
    ]);
    const entries = JSON.parse((await agora(dir, ["--json", "dlq", "list", "orders"])).stdout) as Array<Record<string, unknown>>;
    expect(entries.map((entry) => [entry["stage"], entry["errorCode"]])).toEqual([
      ["source", "CSV_FIELD_COUNT"],
      ["source", "CSV_BAD_VALUE"],
      ["sink_write", "SQLITE_TYPE_MISMATCH"],
    ]);
    expect(entries[0]).toMatchObject({ raw: "3", location: { file: "orders.csv", line: 4 } });
    expect(entries[2]).toMatchObject({ processed: { id: 5, amount: "fifty" } });
    expect(String(entries[2]?.["errorMessage"])).toContain("db: cannot store a text value in INTEGER column amount");
  });
});
