import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { pipelineProject, type ConnectorSpec } from "../../helpers/pipeline-project.js";
import { agora, projectIn, savedCheckpoint } from "../../helpers/project.js";
import { connectorBin, jsonLines, runNode, tempDir } from "../../helpers/processes.js";
import { runSucceeds } from "../../helpers/in-process-run.js";

/*
 * A CSV that gains a column after the pipeline's catalog was discovered (and cached). Before, the
 * column was dropped on every later run until `agora discover --refresh`, and the rows loaded
 * meanwhile had nothing there. Now tap-csv announces it, and schema_changes decides.
 */
const root = tempDir("agora-schema-changes-");

const BEFORE = "id,name\n1,ann\n2,bob\n";
const AFTER = "id,name,email\n1,ann,ann@example.com\n2,bob,\n3,cy,cy@example.com\n";

const JSONL: ConnectorSpec = { command: "target-jsonl", config: { destination_path: "out" } };

function project(name: string, settings: Record<string, unknown>, target = JSONL): { dir: string; csv: string } {
  const dir = join(root, name);
  const csv = join(dir, "people.csv");
  pipelineProject(dir, {
    tap: { command: "tap-csv", config: { files: [{ path: "people.csv", stream: "people", key_properties: ["id"] }] } },
    target,
    ...settings,
  });
  writeFileSync(csv, BEFORE);
  return { dir, csv };
}

const rows = (dir: string): unknown[] => {
  const file = join(dir, "out", "people.jsonl");
  return existsSync(file) ? jsonLines(readFileSync(file, "utf8")) : [];
};

/** Runs the pipeline on the first file (discovering and caching its catalog), then rewrites the file with a new column. */
async function firstRunThenNewColumn(name: string, settings: Record<string, unknown>, target?: ConnectorSpec): Promise<string> {
  const { dir, csv } = project(name, settings, target);
  await runSucceeds(dir);
  writeFileSync(csv, AFTER);
  return dir;
}

describe("a source column added after discovery", () => {
  it("evolve (the default): loads the column on the next plain run, into a table too, and keeps it in the cached catalog", async () => {
    const dir = await firstRunThenNewColumn("evolve", {}, { command: "target-sqlite", config: { database: "people.db" } });
    const second = await runSucceeds(dir);
    expect(second).toContain('stream people has a column its catalog lacks: "email"; loaded (schema_changes = "evolve"), and added to the cached catalog');
    const db = new BetterSqlite3(join(dir, "people.db"), { readonly: true });
    try {
      expect(db.prepare("SELECT id, name, email FROM people ORDER BY id").all()).toEqual([
        { id: 1, name: "ann", email: "ann@example.com" },
        { id: 2, name: "bob", email: null },
        { id: 3, name: "cy", email: "cy@example.com" },
      ]);
    } finally {
      db.close();
    }
    // The cached catalog has it now: the next run hands it to the tap, and nothing is said again.
    const listed = await agora(dir, ["select", "p", "--json"]);
    expect((JSON.parse(listed.stdout) as Array<{ properties: Array<{ property: string; selected: boolean }> }>)[0]?.properties).toContainEqual(
      expect.objectContaining({ property: "email", selected: true }),
    );
    const third = await agora(dir, ["run", "p", "--full-refresh"]);
    expect(third.exitCode, third.stderr).toBe(0);
    expect(third.stderr).not.toContain("lacks");
  });

  it("evolve leaves out a new column the pipeline's select does not take", async () => {
    const dir = await firstRunThenNewColumn("evolve-select", { select: ["people.id", "people.name"] });
    const second = await runSucceeds(dir);
    expect(second).toContain(`"email", which the pipeline's select leaves out`);
    expect(rows(dir).slice(2)).toEqual([
      { id: 1, name: "ann" },
      { id: 2, name: "bob" },
      { id: 3, name: "cy" },
    ]);
  });

  it("freeze: stops before loading the stream, naming the column; the checkpoint stays; agora discover --refresh shows and accepts the change", async () => {
    const dir = await firstRunThenNewColumn("freeze", { schema_changes: "freeze" });
    const checkpoint = savedCheckpoint(dir, "p");
    const second = await agora(dir, ["run", "p"]);
    expect(second.exitCode).not.toBe(0);
    expect(second.stderr).toContain(
      'pipeline p, stream people: the source has a new column its catalog lacks ("email"), and schema_changes = "freeze": nothing of the stream was loaded.',
    );
    expect(second.stderr).toContain("[SCHEMA_CHANGED]");
    expect(second.stderr).toContain("agora discover p --refresh");
    expect(rows(dir)).toEqual([
      { id: 1, name: "ann" },
      { id: 2, name: "bob" },
    ]);
    expect(savedCheckpoint(dir, "p")).toEqual(checkpoint);

    const discovered = await agora(dir, ["discover", "p", "--refresh"]);
    expect(discovered.exitCode, discovered.stderr).toBe(0);
    expect(discovered.stderr).toContain("people: + email");
    await runSucceeds(dir);
    expect(rows(dir).slice(2)).toEqual([
      { id: 1, name: "ann", email: "ann@example.com" },
      { id: 2, name: "bob", email: null },
      { id: 3, name: "cy", email: "cy@example.com" },
    ]);
  });

  it("discard_value: loads the rows without the column, every time", async () => {
    const dir = await firstRunThenNewColumn("discard-value", { schema_changes: "discard_value" });
    for (const run of [1, 2]) {
      const result = await agora(dir, ["run", "p", "--full-refresh"]);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stderr, `run ${run}`).toContain('schema_changes = "discard_value" leaves it out');
    }
    expect(rows(dir).slice(-3)).toEqual([
      { id: 1, name: "ann" },
      { id: 2, name: "bob" },
      { id: 3, name: "cy" },
    ]);
  });

  it("discard_row: the rows with a value there go to the dead-letter queue, as the tap sent them; the others load", async () => {
    const dir = await firstRunThenNewColumn("discard-row", { schema_changes: "discard_row" });
    await runSucceeds(dir);
    expect(rows(dir).slice(2)).toEqual([{ id: 2, name: "bob" }]);
    const letters = await agora(dir, ["dlq", "list", "p", "--json"]);
    const entries = JSON.parse(letters.stdout) as Array<{ errorCode: string; raw?: string }>;
    expect(entries.map((entry) => [entry.errorCode, entry.raw])).toEqual([
      ["SCHEMA_NEW_COLUMN", '{"id":1,"name":"ann","email":"ann@example.com"}'],
      ["SCHEMA_NEW_COLUMN", '{"id":3,"name":"cy","email":"cy@example.com"}'],
    ]);
  });
});

describe("tap-csv with a catalog older than its file", () => {
  it("announces and sends a column the catalog does not name, but not one the catalog deselects", async () => {
    const dir = join(root, "tap");
    const csv = join(dir, "people.csv");
    projectIn(dir, "");
    writeFileSync(csv, AFTER);
    const config = join(dir, "config.json");
    writeFileSync(config, JSON.stringify({ files: [{ path: csv, stream: "people", key_properties: ["id"] }] }));
    const schema = { type: "object", properties: { id: { type: "integer" }, name: { type: ["null", "string"] } } };
    const catalog = (metadata: unknown[]): string => {
      const file = join(dir, `catalog-${metadata.length}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          streams: [{ tap_stream_id: "people", stream: "people", schema, metadata: [{ breadcrumb: [], metadata: { selected: true } }, ...metadata] }],
        }),
      );
      return file;
    };
    const sync = async (file: string): Promise<{ schema: unknown; records: unknown[]; stderr: string }> => {
      const result = await runNode(connectorBin("tap-csv"), ["--config", config, "--catalog", file]);
      expect(result.exitCode, result.stderr).toBe(0);
      const messages = jsonLines(result.stdout);
      return {
        schema: messages.find((message) => message["type"] === "SCHEMA")?.["schema"],
        records: messages.filter((message) => message["type"] === "RECORD").map((message) => message["record"]),
        stderr: result.stderr,
      };
    };

    const fresh = await sync(catalog([]));
    expect(fresh.schema).toEqual({
      type: "object",
      properties: { id: { type: "integer" }, name: { type: ["null", "string"] }, email: { type: ["null", "string"] } },
    });
    expect(fresh.records).toEqual([
      { id: 1, name: "ann", email: "ann@example.com" },
      { id: 2, name: "bob", email: null },
      { id: 3, name: "cy", email: "cy@example.com" },
    ]);
    expect(fresh.stderr).toContain("stream people: the source has a property the catalog does not name (email)");

    const deselected = await sync(catalog([{ breadcrumb: ["properties", "email"], metadata: { selected: false } }]));
    expect(deselected.records).toEqual([
      { id: 1, name: "ann" },
      { id: 2, name: "bob" },
      { id: 3, name: "cy" },
    ]);
  });
});
