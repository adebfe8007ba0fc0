import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pipelineProject } from "../../helpers/pipeline-project.js";
import { agora, startAgora, waitFor } from "../../helpers/project.js";
import { exited, tempDir } from "../../helpers/processes.js";
import { runSucceeds } from "../../helpers/in-process-run.js";

/*
 * A middleware module is code of the user's, run inside the runner. Before, a transform returning
 * a non-object failed the whole run at the target ("does not follow the Singer spec"), and one
 * that never settled hung `agora run` for good (two SIGTERMs did not end it). Now a bad result or
 * a record past timeout_seconds is that record's rejection (dead-lettered under on_error), and a
 * second signal always ends the process.
 */
const MESSAGES = [
  { type: "SCHEMA", stream: "s", schema: { type: "object", properties: { id: { type: "integer" } } }, key_properties: ["id"] },
  ...[1, 2, 3].map((id) => ({ type: "RECORD", stream: "s", record: { id } })),
  { type: "STATE", value: { done: true } },
];

function project(name: string, module: string, step: Record<string, unknown> = {}): string {
  const dir = pipelineProject(tempDir(`agora-module-${name}-`), {
    tap: { command: "cat", args: ["messages.jsonl"] },
    target: { command: "target-jsonl", config: { destination_path: "out" } },
    middleware: [{ type: "module", path: "step.mjs", ...step }],
  });
  writeFileSync(join(dir, "messages.jsonl"), `${MESSAGES.map((message) => JSON.stringify(message)).join("\n")}\n`);
  writeFileSync(join(dir, "step.mjs"), module);
  return dir;
}

async function letters(dir: string): Promise<Array<{ errorCode: string; errorMessage: string; original: { id: number } }>> {
  return JSON.parse((await agora(dir, ["--json", "dlq", "list", "p"])).stdout) as never;
}

describe("a middleware module", () => {
  it("returning something other than a record or null: that record is dead-lettered, the others delivered", async () => {
    const dir = project("result", "export function transform(record) { return record.id === 2 ? [record] : record.id === 3 ? undefined : record; }\n");
    await runSucceeds(dir);
    expect(readFileSync(join(dir, "out", "s.jsonl"), "utf8")).toBe('{"id":1}\n');
    expect((await letters(dir)).map((letter) => [letter.original.id, letter.errorCode, letter.errorMessage])).toEqual([
      [2, "MIDDLEWARE_BAD_RESULT", "middleware[0] module: returned an array, where a record (an object) or null was due"],
      [3, "MIDDLEWARE_BAD_RESULT", "middleware[0] module: returned nothing (undefined), where a record (an object) or null was due"],
    ]);
  });

  it("calling process.exit: that record is rejected, and agora goes on (it exited 0 with the run left running)", async () => {
    const dir = project("exit", "export function transform(record) { if (record.id === 2) process.exit(0); return record; }\n");
    const run = await runSucceeds(dir);
    expect(run).toContain("pipeline p succeeded");
    expect(readFileSync(join(dir, "out", "s.jsonl"), "utf8")).toBe('{"id":1}\n{"id":3}\n');
    expect((await letters(dir)).map((letter) => [letter.original.id, letter.errorCode])).toEqual([[2, "MIDDLEWARE_EXITED"]]);
  });

  it("calling process.exit after an await: that record is rejected, and agora goes on", async () => {
    const dir = project(
      "exit-async",
      "export async function transform(record) { await new Promise((resolve) => setImmediate(resolve)); if (record.id === 2) process.exit(0); return record; }\n",
    );
    await runSucceeds(dir);
    expect(readFileSync(join(dir, "out", "s.jsonl"), "utf8")).toBe('{"id":1}\n{"id":3}\n');
    expect((await letters(dir)).map((letter) => [letter.original.id, letter.errorCode])).toEqual([[2, "MIDDLEWARE_EXITED"]]);
  });

  it("calling process.exit as it loads: the run fails with one line naming the module, recorded as failed", async () => {
    const dir = project("exit-load", "await Promise.resolve();\nprocess.exit(0);\nexport function transform(record) { return record; }\n");
    const run = await agora(dir, ["run", "p"]);
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toContain("cannot load middleware module (called process.exit(0), which a middleware may not)");
    expect(run.stderr).toContain("step.mjs");
    expect(run.stderr).not.toContain("looks like a bug");
    const runs = JSON.parse((await agora(dir, ["--json", "runs", "list", "p"])).stdout) as Array<{ status: string }>;
    expect(runs.map((entry) => entry.status)).toEqual(["failed"]);
  });

  it("that never settles for a record: after timeout_seconds that record is dead-lettered and the run goes on", async () => {
    const dir = project("hang", "export async function transform(record) { return record.id === 2 ? new Promise(() => {}) : record; }\n", {
      timeout_seconds: 0.5,
    });
    await runSucceeds(dir);
    expect(readFileSync(join(dir, "out", "s.jsonl"), "utf8")).toBe('{"id":1}\n{"id":3}\n');
    expect((await letters(dir)).map((letter) => [letter.original.id, letter.errorCode])).toEqual([[2, "MIDDLEWARE_TIMEOUT"]]);
  });

  it("that hangs with the default timeout: a second SIGTERM ends agora run", async () => {
    const dir = project(
      "signals",
      'import { writeFileSync } from "node:fs";\nexport async function transform(record) { if (record.id === 2) { writeFileSync("stuck", ""); return new Promise(() => {}); } return record; }\n',
    );
    const child = startAgora(dir, ["run", "p"]);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor(() => existsSync(join(dir, "stuck")), 20_000, "the module to be stuck");
    child.kill("SIGTERM");
    // One signal at a time: two sent at once may arrive as one.
    await waitFor(() => stderr.includes("SIGTERM received"), 20_000, "the first SIGTERM to be seen");
    child.kill("SIGTERM");
    const ended = await exited(child);
    expect(ended.code).toBe(143);
  });
});
