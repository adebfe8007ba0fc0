import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { agora, savedCheckpoint } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";
import { pipelineProject } from "../../helpers/pipeline-project.js";
import { runSucceeds } from "../../helpers/in-process-run.js";

/*
 * on_error = "fail" and a record a target refuses: the record is in no destination and no DLQ,
 * so the checkpoint must stay before it, and the next run must read it again. The tap is a shell
 * script; the target is target-sqlite, whose 64-bit INTEGER column refuses an id past 2^64.
 */
const TAP = `#!/usr/bin/env bash
# Copies the --state it was given, then writes three records with a STATE after each.
state=""
while [ $# -gt 0 ]; do
  if [ "$1" = "--state" ]; then state="$2"; shift; fi
  shift
done
if [ -n "$state" ]; then cp "$state" received_state.json; else echo none > received_state.json; fi
second=$(cat second_id)
echo '{"type":"SCHEMA","stream":"items","schema":{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"}}},"key_properties":["id"]}'
echo '{"type":"RECORD","stream":"items","record":{"id":1,"name":"first"}}'
echo '{"type":"STATE","value":{"after":1}}'
echo '{"type":"RECORD","stream":"items","record":{"id":'"$second"',"name":"second"}}'
echo '{"type":"STATE","value":{"after":2}}'
echo '{"type":"RECORD","stream":"items","record":{"id":3,"name":"third"}}'
echo '{"type":"STATE","value":{"after":3}}'
`;

describe('on_error = "fail" and a record a target refuses', () => {
  it("stops with the checkpoint before the record, names it, and the next run reads it again", async () => {
    const dir = tempDir("agora-fail-policy-");
    writeFileSync(join(dir, "tap.sh"), TAP, { mode: 0o755 });
    writeFileSync(join(dir, "second_id"), "12345678901234567890");
    pipelineProject(
      dir,
      {
        tap: { command: "bash", args: ["tap.sh"] },
        targets: [{ command: "target-sqlite", config: { database: "out.db", batch_size_rows: 1 } }],
        onError: "fail",
      },
      "items",
    );
    const failed = await agora(dir, ["run", "items"]);
    expect(failed.exitCode).toBe(1);
    // One line saying which record, and why.
    expect(failed.stderr).toMatch(
      /record rejected at sink_write: target-sqlite: .*12345678901234567890 does not fit.*the record: \{"id":12345678901234567890,"name":"second"\}/,
    );
    expect(savedCheckpoint(dir, "items")).toEqual({ after: 1 });
    expect(failed.stderr).toContain("checkpoint saved up to the last STATE every target confirmed before the failure");
    const letters = await agora(dir, ["--json", "dlq", "list", "items"]);
    expect(JSON.parse(letters.stdout)).toEqual([]);

    // The source is fixed: the next run starts after record 1 and stores record 2.
    writeFileSync(join(dir, "second_id"), "2");
    await runSucceeds(dir, "items");
    expect(JSON.parse(readFileSync(join(dir, "received_state.json"), "utf8"))).toEqual({ after: 1 });
    const db = new BetterSqlite3(join(dir, "out.db"), { readonly: true });
    try {
      expect(db.prepare("SELECT id, name FROM items ORDER BY id").all()).toEqual([
        { id: 1, name: "first" },
        { id: 2, name: "second" },
        { id: 3, name: "third" },
      ]);
    } finally {
      db.close();
    }
    expect(savedCheckpoint(dir, "items")).toEqual({ after: 3 });
  });
});
