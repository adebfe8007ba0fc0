import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AGORA } from "../../helpers/project.js";
import { run, tempDir } from "../../helpers/processes.js";
import { pipelineProject } from "../../helpers/pipeline-project.js";

/*
 * A tap (bash) that writes 400 MB to stderr without a newline, then its messages. Before, the
 * runner kept buffering the over-long line after dropping it (600 MB to 1 GB crashed it with
 * ERR_STRING_TOO_LONG, taking a worker's other pipelines with it). Now the line is cut at 1 MiB
 * and the rest dropped as it comes: the run succeeds in bounded memory (peak RSS from
 * /usr/bin/time).
 */
describe("a connector flooding stderr without a newline", () => {
  it("is cut at 1 MiB, said with how much was dropped, and the run goes on in bounded memory", async () => {
    const dir = tempDir("agora-stderr-flood-");
    writeFileSync(
      join(dir, "tap.sh"),
      `head -c 400000000 /dev/zero | tr '\\0' x >&2
echo >&2
echo '{"type":"SCHEMA","stream":"s","schema":{"type":"object","properties":{"id":{"type":"integer"}}},"key_properties":["id"]}'
echo '{"type":"RECORD","stream":"s","record":{"id":1}}'
echo '{"type":"STATE","value":{"done":true}}'
`,
    );
    pipelineProject(dir, { tap: { command: "bash", args: ["tap.sh"] }, target: { command: "target-jsonl", config: { destination_path: "out" } } });
    const result = await run("/usr/bin/time", ["-f", "peak-rss-kib %M", process.execPath, AGORA, "run", "p"], { cwd: dir });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    expect(result.stderr).toContain(`${"x".repeat(100)}`);
    expect(result.stderr).toContain(`… (${400_000_000 - (1 << 20)} more bytes of this line dropped)`);
    const peak = Number(/peak-rss-kib (\d+)/.exec(result.stderr)?.[1]);
    expect(peak / 1024).toBeLessThan(250);
  });
});
