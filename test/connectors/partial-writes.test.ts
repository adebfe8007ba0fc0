import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pipelineProject, type ConnectorSpec } from "../helpers/pipeline-project.js";
import { agora, savedCheckpoint } from "../helpers/project.js";
import { ROOT, tempDir } from "../helpers/processes.js";

const root = tempDir("agora-partial-writes-");
const TAP = join(ROOT, "test", "fixtures", "bash", "tap_clashing_streams.sh");

function project(dir: string, target: ConnectorSpec, streams: [string, string] = ["items", "other"]): string {
  return pipelineProject(dir, { tap: { command: `bash ${TAP}`, args: streams }, target });
}

describe("a file a failed write left half-written", () => {
  it("target-jsonl cuts the broken last line before appending: every line parses, none is lost", async () => {
    const dir = project(join(root, "jsonl"), { command: "target-jsonl", config: { destination_path: "out" } });
    mkdirSync(join(dir, "out"), { recursive: true });
    writeFileSync(join(dir, "out", "items.jsonl"), '{"id":10}\n{"id":11}\n{"id":12,"na');
    const result = await agora(dir, ["run", "p"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain("items.jsonl: cut 12 bytes of an incomplete last line");
    expect(readFileSync(join(dir, "out", "items.jsonl"), "utf8")).toBe('{"id":10}\n{"id":11}\n{"id":1}\n');
  });

  it("target-csv cuts a broken last row, quoted newlines included, and keeps the header", async () => {
    const dir = project(join(root, "csv"), { command: "target-csv", config: { destination_path: "out" } });
    mkdirSync(join(dir, "out"), { recursive: true });
    writeFileSync(join(dir, "out", "items.csv"), 'id\n10\n"11\n2');
    const result = await agora(dir, ["run", "p"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain("items.csv: cut 5 bytes of an incomplete last row");
    expect(readFileSync(join(dir, "out", "items.csv"), "utf8")).toBe("id\n10\n1\n");
  });

  it("a full disk fails the run with one line, and the checkpoint stays", async () => {
    const dir = project(join(root, "full"), { command: "target-jsonl", config: { destination_path: "/dev", file_naming: "full" } }, ["items", "items"]);
    const result = await agora(dir, ["run", "p"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("target-jsonl, /dev/full: cannot write records (ENOSPC). The disk is full: free space and run again");
    expect(result.stderr).toContain("(DISK_FULL)");
    expect(savedCheckpoint(dir, "p")).toBeUndefined();
  });
});
