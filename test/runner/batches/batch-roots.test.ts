import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { agora } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";
import { pipelineProject } from "../../helpers/pipeline-project.js";

/*
 * A BATCH manifest is data from the tap. When the runner expands a batch into RECORDs (for a
 * target that reads no batches, here a shell one), it read any file a manifest named, through
 * links too, handed its content to the target and removed it once the STATE was confirmed. Now
 * only files under the pipeline's batch_roots are read, links resolved first; others are
 * dead-lettered (or fail the run) as bad batches, and left where they are.
 */
describe("BATCH files the runner reads", () => {
  it("come only from the pipeline's batch_roots: a file outside, or a link leading out, is refused and left alone", async () => {
    const dir = pipelineProject(
      tempDir("agora-batch-roots-"),
      { tap: { command: "cat", args: ["messages.jsonl"] }, target: { command: "sh", args: ["-c", "cat > received.jsonl"] }, batch_roots: ["batches"] },
      "items",
    );
    mkdirSync(join(dir, "batches"));
    writeFileSync(join(dir, "batches", "good.jsonl"), '{"id":1}\n');
    writeFileSync(join(dir, "secret.jsonl"), '{"id":666,"secret":"hunter2"}\n');
    symlinkSync(join(dir, "secret.jsonl"), join(dir, "batches", "link.jsonl"));
    const batch = (file: string): string =>
      JSON.stringify({ type: "BATCH", stream: "items", encoding: { format: "jsonl" }, manifest: [pathToFileURL(file).href] });
    const messages = [
      JSON.stringify({ type: "SCHEMA", stream: "items", schema: { type: "object", properties: { id: { type: "integer" } } }, key_properties: ["id"] }),
      batch(join(dir, "batches", "good.jsonl")),
      batch(join(dir, "secret.jsonl")),
      batch(join(dir, "batches", "link.jsonl")),
      JSON.stringify({ type: "STATE", value: { done: true } }),
    ];
    writeFileSync(join(dir, "messages.jsonl"), `${messages.join("\n")}\n`);

    const run = await agora(dir, ["run", "items"]);
    expect(run.stderr).toContain("2 to the DLQ");
    const received = readFileSync(join(dir, "received.jsonl"), "utf8");
    expect(received).toContain('"record":{"id":1}');
    expect(received).not.toContain("hunter2");
    expect(existsSync(join(dir, "secret.jsonl"))).toBe(true);
    const letters = JSON.parse((await agora(dir, ["--json", "dlq", "list", "items"])).stdout) as Array<{ errorCode: string; errorMessage: string }>;
    expect(letters.map((letter) => letter.errorCode)).toEqual(["BATCH_INVALID", "BATCH_INVALID"]);
    for (const letter of letters) expect(letter.errorMessage).toContain(`is outside the folders batch files may come from (${join(dir, "batches")})`);
  });
});
