import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { connectorBin, jsonLines, runNode, tempDir } from "../../helpers/processes.js";
import { writeJsonIn } from "../../helpers/files.js";

/* batch_config in the Meltano SDK's shape works as it is, beside Agora's own. */
const tap = connectorBin("tap-sample");

describe("batch_config in the Meltano SDK's shape", () => {
  it("takes encoding, storage (a file:// root and a prefix) and batch_size", async () => {
    const dir = tempDir("agora-batch-meltano-");
    const root = join(dir, "batches");
    const config = writeJsonIn(dir, "config.json", {
      users: 5,
      orders: 0,
      batch_config: { encoding: { format: "jsonl", compression: "gzip" }, storage: { root: pathToFileURL(root).href, prefix: "meltano-" }, batch_size: 2 },
    });
    const result = await runNode(tap, ["--config", config]);
    expect(result.exitCode, result.stderr).toBe(0);
    const batches = jsonLines(result.stdout).filter((message) => message["type"] === "BATCH") as Array<{ encoding: unknown; manifest: string[] }>;
    expect(batches.map((batch) => batch.encoding)).toEqual([
      { format: "jsonl", compression: "gzip" },
      { format: "jsonl", compression: "gzip" },
      { format: "jsonl", compression: "gzip" },
    ]);
    const files = readdirSync(root);
    expect(files).toHaveLength(3);
    for (const file of files) expect(file).toMatch(/^meltano-users-.*\.jsonl\.gz$/);
  });

  it("refuses a setting given in both shapes with two values, and a root that is no local folder", async () => {
    const dir = tempDir("agora-batch-meltano-bad-");
    const both = writeJsonIn(dir, "both.json", { batch_config: { format: "arrow", encoding: { format: "jsonl" } } });
    const twice = await runNode(tap, ["--config", both]);
    expect(twice.exitCode).toBe(3);
    expect(twice.stderr).toContain("batch_config gives format and encoding.format twice, with different values");
    const s3 = writeJsonIn(dir, "s3.json", { batch_config: { encoding: { format: "jsonl" }, storage: { root: "s3://bucket/batches" } } });
    const remote = await runNode(tap, ["--config", s3]);
    expect(remote.exitCode).toBe(3);
    expect(remote.stderr).toContain("batch_config.storage.root is s3://bucket/batches: batch files are written to a local folder only");
  });
});
