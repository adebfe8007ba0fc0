import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agora } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";
import { pipelineProject } from "../../helpers/pipeline-project.js";
import { runSucceeds } from "../../helpers/in-process-run.js";

/*
 * Repairing a dead letter by hand: `agora dlq edit` changes the record a replay sends (fields with
 * --set/--unset, or the whole record in $EDITOR), keeps the record as it arrived in `raw`, and
 * notes the edit in the entry's history beside each replay that failed. The tap is a Python
 * script sending two records a schema refuses.
 */
const TAP = `import json
print(json.dumps({"type": "SCHEMA", "stream": "orders", "schema": {"type": "object", "properties": {"id": {"type": "integer"}, "amount": {"type": "integer"}, "note": {"type": "string"}}, "required": ["id", "amount"]}, "key_properties": ["id"]}))
print('{"type": "RECORD", "stream": "orders", "record": {"id": 1, "amount": 10}}')
print('{"type": "RECORD", "stream": "orders", "record": {"id": 2, "amount": "twelve", "note": "typed by hand"}}')
print('{"type": "RECORD", "stream": "orders", "record": {"id": 3, "amount": "lots", "extra": {"keep": true}}}')
print('{"type": "STATE", "value": {"done": true}}')
`;

function project(name: string): string {
  const dir = tempDir(`agora-dlq-edit-${name}-`);
  writeFileSync(join(dir, "tap.py"), TAP);
  return pipelineProject(
    dir,
    { tap: { command: "python3", args: ["tap.py"] }, target: { command: "target-jsonl", config: { destination_path: "out" } } },
    "orders",
  );
}

const landed = (dir: string): unknown[] =>
  readFileSync(join(dir, "out", "orders.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as unknown);

interface Letter {
  id: number;
  original: Record<string, unknown>;
  raw: string;
  status: string;
  history: Array<{ kind: string; detail: string }>;
}

async function letters(dir: string): Promise<Letter[]> {
  const listed = await agora(dir, ["--json", "dlq", "list", "orders", "--status", "all"]);
  return JSON.parse(listed.stdout) as Letter[];
}

describe("agora dlq edit", () => {
  it("--set and --unset change the record a replay sends (a 20-digit value keeps its digits); raw keeps it as it arrived; each failed replay and the edit are in its history", async () => {
    const dir = project("set");
    await runSucceeds(dir, "orders");
    const [second] = await letters(dir);

    // A replay before the repair fails again, and says why; then the fix.
    const again = await agora(dir, ["dlq", "replay", "orders", "--ids", String(second?.id)]);
    expect(again.exitCode).toBe(1);
    const edited = await agora(dir, ["dlq", "edit", "orders", String(second?.id), "--set", "amount=12345678901234567890", "--unset", "note"]);
    expect(edited.exitCode, edited.stderr).toBe(0);
    expect(edited.stderr).toContain(`dead letter ${second?.id} edited; replay it with \`agora dlq replay orders --ids ${second?.id}\``);

    const listed = await agora(dir, ["dlq", "list", "orders"]);
    expect(listed.stdout).toContain("edited (set amount, unset note); before: record field /amount");

    const replayed = await agora(dir, ["dlq", "replay", "orders", "--ids", String(second?.id)]);
    expect(replayed.exitCode, replayed.stderr).toBe(0);
    expect(readFileSync(join(dir, "out", "orders.jsonl"), "utf8")).toContain('{"id":2,"amount":12345678901234567890}');

    const [after] = await letters(dir);
    expect(after?.status).toBe("done");
    expect(after?.raw).toBe('{"id": 2, "amount": "twelve", "note": "typed by hand"}');
    expect(after?.history.map((event) => event.kind)).toEqual(["replay_failed", "edited"]);
    expect(after?.history[0]?.detail).toContain("amount");
    expect(after?.history[1]?.detail).toBe("set amount, unset note");
  });

  it("opens the whole record in $EDITOR, keeping fields it does not touch", async () => {
    const dir = project("editor");
    await runSucceeds(dir, "orders");
    const third = (await letters(dir)).find((letter) => letter.original["id"] === 3) as Letter;
    // An editor that changes one value in the file it is given, as a user would.
    const editor = join(dir, "fix-editor.sh");
    writeFileSync(editor, `#!/bin/sh\nsed -i 's/"lots"/30/' "$1"\n`);
    chmodSync(editor, 0o755);
    const edited = await agora(dir, ["dlq", "edit", "orders", String(third.id)], { EDITOR: editor, VISUAL: "" });
    expect(edited.exitCode, edited.stderr).toBe(0);
    expect((await agora(dir, ["dlq", "replay", "orders"])).stderr).toContain("1 succeeded");
    expect(landed(dir)).toContainEqual({ id: 3, amount: 30, extra: { keep: true } });
  });

  it("says so when the editor saves the record unchanged, and refuses a file that is not one JSON object, keeping the text", async () => {
    const dir = project("refuse");
    await runSucceeds(dir, "orders");
    const [second] = await letters(dir);
    const unchanged = await agora(dir, ["dlq", "edit", "orders", String(second?.id)], { EDITOR: "true", VISUAL: "" });
    expect(unchanged.stderr).toContain("unchanged");
    const broken = join(dir, "break-editor.sh");
    writeFileSync(broken, `#!/bin/sh\necho '{"id": 2,' > "$1"\n`);
    chmodSync(broken, 0o755);
    // The kept file goes to the test's own temporary folder (TMPDIR), where it is read and removed with the test.
    const scratch = join(dir, "tmp");
    mkdirSync(scratch);
    const refused = await agora(dir, ["dlq", "edit", "orders", String(second?.id)], { EDITOR: broken, VISUAL: "", TMPDIR: scratch });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain("the edited record is not one JSON object");
    expect(refused.stderr).toContain("[DLQ_EDIT_INVALID]");
    expect(refused.stderr).not.toContain("    at ");
    expect((await letters(dir))[0]?.original).toEqual({ id: 2, amount: "twelve", note: "typed by hand" });
    // The user's text is kept, in the file the line names.
    const [kept] = readdirSync(scratch).flatMap((folder) => readdirSync(join(scratch, folder)).map((file) => join(scratch, folder, file)));
    expect(kept).toBeDefined();
    expect(refused.stderr).toContain(kept as string);
    expect(readFileSync(kept as string, "utf8")).toBe('{"id": 2,\n');
  });

  it("refuses an unknown entry, and a malformed --set, in one line each", async () => {
    const dir = project("bad");
    await runSucceeds(dir, "orders");
    const unknown = await agora(dir, ["dlq", "edit", "orders", "999", "--set", "amount=1"]);
    expect(unknown.exitCode).not.toBe(0);
    expect(unknown.stderr).toContain("pipeline orders has no dead letter 999");
    const [second] = await letters(dir);
    const malformed = await agora(dir, ["dlq", "edit", "orders", String(second?.id), "--set", "amount"]);
    expect(malformed.exitCode).not.toBe(0);
    expect(malformed.stderr).toContain('--set "amount" has no FIELD=VALUE');
  });
});
