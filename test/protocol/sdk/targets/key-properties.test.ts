import { describe, expect, it } from "vitest";
import type { StreamInfo } from "../../../../protocol/index.js";
import { missingKey } from "../../../../protocol/sdk/targets/key-properties.js";
import { writeJsonIn } from "../../../helpers/files.js";
import { recordLine, schemaLine, stateLine } from "../../../helpers/messages.js";
import { connectorBin, jsonLines, runNode, tempDir } from "../../../helpers/processes.js";

/* Every SDK target refuses a record without a value for a key property, alike: a keyless row could be neither upserted nor told apart. */

const dir = tempDir("agora-keys-");
const TARGETS: Array<[string, Record<string, unknown>]> = [
  ["target-jsonl", { destination_path: `${dir}/jsonl` }],
  ["target-csv", { destination_path: `${dir}/csv` }],
  ["target-sqlite", { database: `${dir}/k.db` }],
  ["target-duckdb", { database: `${dir}/k.duckdb` }],
  ["target-parquet", { destination_path: `${dir}/parquet` }],
];

const input = [
  schemaLine("keyed", { id: { type: ["null", "integer"] }, v: { type: "string" } }, ["id"]),
  recordLine("keyed", { id: 1, v: "a" }),
  recordLine("keyed", { v: "no id" }),
  recordLine("keyed", { id: null, v: "null id" }),
  recordLine("keyed", { id: 2, v: "b" }),
  stateLine({ done: true }),
].join("\n");

describe.each(TARGETS)("%s and a record without its key", (name, config) => {
  it("stops with one line naming the stream, line and key, confirming nothing after it", async () => {
    const result = await runNode(connectorBin(name), ["--config", writeJsonIn(dir, `${name}-fail.json`, config)], { input: `${input}\n` });
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim()).toContain(
      `stream keyed, line 3, field id: key property id is null or missing. Every record needs a value for each key property of its stream. [KEY_IS_NULL]`,
    );
  });

  it("under a runner's dead letters, rejects those records alone and writes the others", async () => {
    const result = await runNode(connectorBin(name), ["--config", writeJsonIn(dir, `${name}-dlq.json`, config)], {
      input: `${input}\n`,
      env: { AGORA_DEAD_LETTER: "1" },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const letters = jsonLines(result.stdout).filter((line) => (line as { type?: string }).type === "DEAD_LETTER") as Array<{
      record: unknown;
      error: { code: string };
      location: { line: number };
    }>;
    expect(letters.map((letter) => [letter.location.line, letter.error.code, letter.record])).toEqual([
      [3, "KEY_IS_NULL", { v: "no id" }],
      [4, "KEY_IS_NULL", { id: null, v: "null id" }],
    ]);
    expect(result.stderr).toContain("wrote 2 records");
  });
});

describe("missingKey with names that are also Object.prototype's", () => {
  const stream = (keys: string[]): StreamInfo => ({ name: "s", schema: { type: "object" }, keyProperties: keys });

  it("reads the record's own property only: a record without `constructor` or `__proto__` lacks that key", () => {
    expect(missingKey(stream(["constructor"]), {}, 7)?.where).toEqual({ stream: "s", line: 7, field: "constructor" });
    expect(missingKey(stream(["__proto__"]), {}, 8)?.code).toBe("KEY_IS_NULL");
    const record = JSON.parse('{"__proto__": 1, "constructor": "c"}') as Record<string, unknown>;
    expect(missingKey(stream(["constructor", "__proto__"]), record, 9)).toBeUndefined();
  });
});
