import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Database } from "better-sqlite3";
import { AgoraError, ensurePrivateFile, FatalError, openSqlite } from "../../../protocol/index.js";
import { RunnerCodes } from "../../errors.js";
import { DocumentTexts } from "../dead-letter-documents.js";
import { leaseLostError, type LeaseFence } from "../lease-fence.js";
import { migrate } from "./migrations.js";
import { sqliteFailure } from "./sqlite-failure.js";

/**
 * The SQLite connection every part of the store works through (WAL,
 * synchronous FULL), with the two ways an operation runs: `guard`, a
 * failure of the file becoming one clear error saying what the store was
 * doing, and `runWrite`, a write a run makes, checked against its lease on
 * a fenced view.
 */
export class SqliteHandle {
  private constructor(
    readonly path: string,
    readonly db: Database,
    readonly documents: DocumentTexts,
    /** Set on a view made by fenced: the lease its run writes stand on. */
    private readonly fence: LeaseFence | undefined,
  ) {}

  /** Opens (and migrates) the database at `path`, made private to its owner. */
  static open(path: string): SqliteHandle {
    const resolved = path === ":memory:" ? path : resolve(path);
    try {
      if (resolved !== ":memory:") {
        mkdirSync(dirname(resolved), { recursive: true, mode: 0o700 });
        // Checkpoints, run history and dead letters (records, with whatever they hold): the owner's only.
        ensurePrivateFile(resolved);
      }
      const db = openSqlite(resolved, { timeout: 10_000 });
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
      migrate(db);
      return new SqliteHandle(resolved, db, new DocumentTexts(), undefined);
    } catch (error) {
      // A disk that is full or failing says so; anything else (a folder that cannot be made, a bad path) is "cannot open".
      const failure = sqliteFailure(error, resolved, "be opened");
      if (failure instanceof AgoraError) throw failure;
      throw new FatalError(RunnerCodes.STATE_STORE_UNAVAILABLE, `cannot open the state store (${(error as Error).message})`, {
        where: { file: resolved },
        hint: "Check that the state store path is writable (state_store in pipelines.toml, or --state-store).",
        cause: error,
      });
    }
  }

  /** The same connection, its run writes standing on `fence`. */
  fenced(fence: LeaseFence): SqliteHandle {
    return new SqliteHandle(this.path, this.db, this.documents, fence);
  }

  /** Runs one operation on the database; a failure of the file becomes one clear error saying what the store was doing. */
  guard<T>(doing: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw sqliteFailure(error, this.path, doing);
    }
  }

  /**
   * A write a run makes. Under a fence (a view made by fenced) it runs in
   * an IMMEDIATE transaction that first checks the lease still names the
   * fence's holder: SQLite serialises writers, so no other process can take
   * the lease between the check and the write.
   */
  runWrite<T>(doing: string, work: () => T): T {
    return this.guard(doing, () => {
      const fence = this.fence;
      if (fence === undefined) return work();
      return this.db
        .transaction(() => {
          const row = this.db.prepare("SELECT holder FROM leases WHERE pipeline = ?").get(fence.pipeline) as { holder: string } | undefined;
          if (row?.holder !== fence.holder) throw leaseLostError(fence, row?.holder);
          return work();
        })
        .immediate();
    });
  }
}
