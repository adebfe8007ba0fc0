import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { connectorBin, exited, spawnNode, tempDir } from "../../helpers/processes.js";

const dir = tempDir();

describe("a tap asked to stop", () => {
  it.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const)("on %s writes a STATE covering what it wrote, and exits %i", async (signal, code) => {
    const config = join(dir, `big-${signal}.json`);
    writeFileSync(config, JSON.stringify({ users: 50_000_000, orders: 0, state_every_records: 1000 }));
    const child = spawnNode(connectorBin("tap-sample"), ["--config", config]);
    let output = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    // Read slowly enough that the tap is mid-stream, then ask it to stop.
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.length > 200_000) resolve();
      });
    });
    child.kill(signal);
    const ended = await exited(child);
    expect(ended.code).toBe(code);
    const lines = output
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; record?: { id: number }; value?: { bookmarks: { users: { rows: number } } } });
    const last = lines.at(-1);
    expect(last?.type).toBe("STATE");
    const records = lines.filter((line) => line.type === "RECORD");
    // Every record up to the stop, none skipped, and the final STATE covers exactly them.
    expect(records.map((line) => line.record?.id)).toEqual(Array.from({ length: records.length }, (_, index) => index + 1));
    expect(last?.value?.bookmarks.users.rows).toBe(records.length);
    expect(stderr).toContain(`${signal} received`);
    expect(stderr).toContain(`stopped after ${records.length} records`);
  });
});
