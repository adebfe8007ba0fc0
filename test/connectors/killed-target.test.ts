import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { query, writeJsonIn } from "../helpers/files.js";
import { killMidStream } from "../helpers/killed-target.js";
import { connectorBin, spawnNode, tempDir } from "../helpers/processes.js";

/**
 * A target killed with SIGKILL mid-stream must never have confirmed a
 * STATE whose records are not in its output.
 */
const dir = tempDir();

interface Case {
  readonly name: string;
  readonly settings: Record<string, unknown>;
  /** The ids of stream "items" the destination holds, in the order stored. */
  readonly stored: () => number[];
}

const database = join(dir, "killed.db");
const jsonlOut = join(dir, "jsonl");
const csvOut = join(dir, "csv");
const lines = (path: string): string[] =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line !== "");
/** The records of a JSON Lines file a kill may have cut mid-line: the torn last line (never confirmed; cut when the target opens the file again) is not a record. */
const jsonlIds = (path: string): number[] => {
  const all = readFileSync(path, "utf8").split("\n");
  const complete = all.slice(0, -1).filter((line) => line !== "");
  return complete.map((line) => (JSON.parse(line) as { id: number }).id);
};

const cases: Case[] = [
  { name: "target-sqlite", settings: { database }, stored: () => query(database, "SELECT id FROM items ORDER BY rowid").map((row) => Number(row["id"])) },
  { name: "target-jsonl", settings: { destination_path: jsonlOut }, stored: () => jsonlIds(join(jsonlOut, "items.jsonl")) },
  {
    name: "target-csv",
    settings: { destination_path: csvOut },
    stored: () =>
      lines(join(csvOut, "items.csv"))
        .slice(1)
        .map((line) => Number(line.split(",")[0])),
  },
];

describe.each(cases)("$name killed with SIGKILL mid-stream", ({ name, settings, stored }) => {
  it("has every record of every STATE it confirmed", async () => {
    const config = writeJsonIn(dir, `${name}.json`, { ...settings, batch_size_rows: 500, batch_wait_limit_seconds: 0.05 });
    const { lastConfirmed, lastSent: id, signal } = await killMidStream(spawnNode(connectorBin(name), ["--config", config]));
    expect(signal).toBe("SIGKILL");
    expect(lastConfirmed).toBeGreaterThan(0);
    expect(id).toBeGreaterThan(lastConfirmed);
    // Each record sent, once, in order: all of those before the last confirmed STATE, and perhaps some of the batch after it.
    const held = stored();
    expect(held.length).toBeGreaterThanOrEqual(lastConfirmed);
    expect(held).toEqual(Array.from({ length: held.length }, (_, index) => index + 1));
  });
});
