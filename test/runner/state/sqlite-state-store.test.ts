import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { LATEST_VERSION, migrate } from "../../../runner/state/sqlite/migrations.js";
import { SqliteStateStore } from "../../../runner/state/sqlite/sqlite-state-store.js";
import { tempDir } from "../../helpers/processes.js";
import { stateStoreContract } from "./store-contract.js";

const dir = tempDir("agora-sqlite-store-");
let stores = 0;

stateStoreContract(
  "sqlite",
  () => new SqliteStateStore(join(dir, `contract-${(stores += 1)}.db`)),
  async (store) => {
    const db = new BetterSqlite3((store as SqliteStateStore).path, { readonly: true });
    try {
      return (db.prepare("SELECT count(*) AS n FROM dead_letter_documents").get() as { n: number }).n;
    } finally {
      db.close();
    }
  },
);

describe("sqlite: migrations", () => {
  it("opens a store written by the previous schema, keeping its data and adding what is new", async () => {
    const path = join(dir, "previous.db");
    const old = new BetterSqlite3(path);
    migrate(old, LATEST_VERSION - 1);
    old
      .prepare(
        "INSERT INTO runs (id, pipeline, started_at, ended_at, status, progress, error) VALUES ('r0', 'p', '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 'failed', '{}', 'it broke')",
      )
      .run();
    old.prepare("INSERT INTO checkpoints (pipeline, state, run_id, updated_at) VALUES ('p', '{\"n\":7}', 'r0', '2026-01-01T00:01:00Z')").run();
    // A dead letter holding its checkpoint and schema itself, as before they were kept apart.
    old
      .prepare(
        "INSERT INTO dead_letters (pipeline, run_id, stream, stage, error_code, error_message, original, schema, checkpoint, created_at) VALUES ('p', 'r0', 's', 'validate', 'E', 'bad', '{\"id\":1}', '{\"type\":\"object\"}', '{\"n\":6}', '2026-01-01T00:00:30Z')",
      )
      .run();
    expect(old.pragma("user_version", { simple: true })).toBe(LATEST_VERSION - 1);
    old.close();

    const store = new SqliteStateStore(path);
    expect(await store.getRun("r0")).toMatchObject({ status: "failed", error: "it broke", errorCode: undefined, errorKind: undefined });
    expect((await store.getCheckpoint("p"))?.state).toEqual({ n: 7 });
    expect(await store.listDeadLetters({ pipeline: "p" })).toMatchObject([{ original: { id: 1 }, schema: { type: "object" }, checkpoint: { n: 6 } }]);
    await store.startRun("r1", "p");
    await store.finishRun("r1", "failed", {}, { code: "MIDDLEWARE_MODULE_FAILED", kind: "config", message: "cannot load" });
    expect(await store.getRun("r1")).toMatchObject({ errorCode: "MIDDLEWARE_MODULE_FAILED", errorKind: "config" });
    await store.close();
    const reopened = new BetterSqlite3(path, { readonly: true });
    expect(reopened.pragma("user_version", { simple: true })).toBe(LATEST_VERSION);
    reopened.close();
  });

  it("opens a store of the first schema too, and migrating twice changes nothing", async () => {
    const path = join(dir, "first.db");
    const db = new BetterSqlite3(path);
    migrate(db, 1);
    migrate(db);
    migrate(db);
    expect(db.pragma("user_version", { simple: true })).toBe(LATEST_VERSION);
    db.close();
    const store = new SqliteStateStore(path);
    expect(await store.acquireLease("p", "a", 1000)).toBe(true);
    await store.close();
  });

  it("refuses a store written by a newer Agora, saying so", () => {
    const path = join(dir, "newer.db");
    const db = new BetterSqlite3(path);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    expect(() => new SqliteStateStore(path)).toThrow(/written by a newer Agora/);
  });
});
