import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { connectorBin, jsonLines, runNode, tempDir } from "../../helpers/processes.js";

const dir = tempDir("agora-tap-batches-");
const tapSample = connectorBin("tap-sample");
const tapJsonl = connectorBin("tap-jsonl");

function writeJson(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

/** The records of a BATCH message's files, in order. */
function batchRecords(message: Record<string, unknown>): unknown[] {
  const gzip = (message["encoding"] as { compression?: string }).compression === "gzip";
  return (message["manifest"] as string[]).flatMap((uri) => {
    const bytes = readFileSync(fileURLToPath(uri));
    return (gzip ? gunzipSync(bytes) : bytes)
      .toString("utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as unknown);
  });
}

describe("an SDK tap with batch_config", () => {
  it("writes the records it would send as RECORDs into jsonl files, each announced by a BATCH and followed by the STATE that covers it", async () => {
    const plain = await runNode(tapSample, ["--config", writeJson("plain.json", { users: 9, orders: 0, state_every_records: 100 })]);
    const root = join(dir, "batches-plain");
    const batched = await runNode(tapSample, [
      "--config",
      writeJson("batched.json", { users: 9, orders: 0, state_every_records: 100, batch_config: { format: "jsonl", rows_per_file: 4, root } }),
    ]);
    expect(batched.exitCode, batched.stderr).toBe(0);
    const messages = jsonLines(batched.stdout);
    expect(messages.map((message) => message["type"])).toEqual(["SCHEMA", "BATCH", "STATE", "BATCH", "STATE", "BATCH", "STATE", "SCHEMA", "STATE"]);
    const batches = messages.filter((message) => message["type"] === "BATCH");
    expect(batches.map((message) => batchRecords(message).length)).toEqual([4, 4, 1]);
    // Value for value what the RECORD lane carries, in the same order.
    const records = jsonLines(plain.stdout)
      .filter((message) => message["type"] === "RECORD")
      .map((message) => message["record"]);
    expect(batches.flatMap(batchRecords)).toEqual(records);
    // Each STATE is the one the RECORD lane writes after the same records.
    const states = messages.filter((message) => message["type"] === "STATE");
    expect((states[0]?.["value"] as { bookmarks: { users: unknown } }).bookmarks.users).toEqual({ rows: 4 });
    // The tap's data, the owner's only.
    for (const file of readdirSync(root)) expect(statSync(join(root, file)).mode & 0o777).toBe(0o600);
  });

  it("gzips the files when asked, and names them safely whatever the stream is called", async () => {
    const input = join(dir, "hostile.jsonl");
    writeFileSync(input, '{"id":1}\n{"id":2}\n{"id":3}\n');
    const root = join(dir, "batches-gzip");
    const result = await runNode(tapJsonl, [
      "--config",
      writeJson("gzip.json", {
        files: [{ path: input, stream: "../up/__proto__" }],
        batch_config: { format: "jsonl", compression: "gzip", rows_per_file: 2, root },
      }),
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    const batches = jsonLines(result.stdout).filter((message) => message["type"] === "BATCH");
    expect(batches.map((message) => message["encoding"])).toEqual([
      { format: "jsonl", compression: "gzip" },
      { format: "jsonl", compression: "gzip" },
    ]);
    expect(batches.flatMap(batchRecords)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    // Every file inside the root, its name made of safe characters only.
    const files = readdirSync(root);
    expect(files).toHaveLength(2);
    for (const file of files) expect(file).toMatch(/^___up___proto__-[0-9a-f]{12}-\d{5}\.jsonl\.gz$/);
    for (const message of batches) expect(fileURLToPath((message["manifest"] as string[])[0] as string).startsWith(`${root}/`)).toBe(true);
  });

  it("a batch folder it cannot make is one line naming the setting; a full disk is one line naming the file", async () => {
    writeFileSync(join(dir, "a-file"), "");
    const notAFolder = await runNode(tapSample, [
      "--config",
      writeJson("bad-root.json", { users: 3, batch_config: { format: "jsonl", root: join(dir, "a-file", "batches") } }),
    ]);
    expect(notAFolder.exitCode).toBe(3);
    expect(notAFolder.stderr).toContain(`cannot make the batch folder ${join(dir, "a-file", "batches")}`);
    expect(notAFolder.stderr).toContain("batch_config.root");
    expect(notAFolder.stderr).not.toContain("    at ");

    const disk = join(dir, "disk");
    mkdirSync(disk);
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", disk], { stdio: "ignore" });
    } catch {
      console.warn("the full-disk case is skipped: cannot mount a small tmpfs here (needs root)");
      return;
    }
    try {
      const full = await runNode(tapSample, ["--config", writeJson("full.json", { users: 20000, orders: 0, batch_config: { format: "jsonl", root: disk } })]);
      expect(full.exitCode).not.toBe(0);
      const lines = full.stderr.split("\n").filter((line) => line.includes("[DISK_FULL]"));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`cannot write batch file ${disk}/users-`);
      expect(full.stderr).not.toContain("    at ");
    } finally {
      execFileSync("umount", ["-l", disk]);
    }
  });

  it("tap-csv puts its rows straight into Arrow columns: the files hold exactly the records it would send, names like __proto__ included, deselected columns left out", async () => {
    const csv = join(dir, "hostile.csv");
    writeFileSync(csv, "id,__proto__,constructor,amount,note\n1,p,c,1.5,a\n2,,d,-2,\n3,q,e,,x\n");
    const tapCsv = connectorBin("tap-csv");
    const config = { files: [{ path: csv, stream: "hostile", key_properties: ["id"] }] };
    const catalog = JSON.parse((await runNode(tapCsv, ["--config", writeJson("csv.json", config), "--discover"])).stdout) as {
      streams: Array<{ metadata: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }> }>;
    };
    for (const entry of catalog.streams[0]?.metadata ?? []) if (entry.breadcrumb[1] === "note") entry.metadata["selected"] = false;
    const catalogFile = writeJson("csv-catalog.json", catalog);
    const asRecords = await runNode(tapCsv, ["--config", writeJson("csv.json", config), "--catalog", catalogFile]);
    const expected = jsonLines(asRecords.stdout)
      .filter((message) => message["type"] === "RECORD")
      .map((message) => message["record"]);
    expect(expected).toHaveLength(3);
    const root = join(dir, "csv-arrow");
    const asArrow = await runNode(tapCsv, [
      "--config",
      writeJson("csv-arrow.json", { ...config, batch_config: { format: "arrow", root } }),
      "--catalog",
      catalogFile,
    ]);
    expect(asArrow.exitCode, asArrow.stderr).toBe(0);
    const { decodeArrowBatch } = await import("../../../protocol/index.js");
    const rows: unknown[] = [];
    for (const message of jsonLines(asArrow.stdout).filter((item) => item["type"] === "BATCH")) {
      for (const uri of message["manifest"] as string[]) rows.push(...(await decodeArrowBatch(readFileSync(fileURLToPath(uri)))).records());
    }
    // Arrow columns hold every property: a value the record lacks is null there.
    expect(rows).toEqual(expected.map((record) => ({ id: null, __proto__: null, constructor: null, amount: null, ...(record as object) })));
    expect(Object.hasOwn(rows[0] as object, "__proto__")).toBe(true);
    expect(Object.keys(rows[0] as object)).not.toContain("note");
  });

  it("refuses an unknown batch format with the setting named", async () => {
    const result = await runNode(tapSample, ["--config", writeJson("bad-format.json", { users: 1, batch_config: { format: "avro" } })]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain("batch_config");
  });
});
