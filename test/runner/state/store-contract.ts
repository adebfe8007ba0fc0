import { describe, expect, it } from "vitest";
import { parseRecordJson, stringifyJson } from "../../../protocol/index.js";
import type { StateStore } from "../../../runner/state/interfaces.js";
import type { RunProgress } from "../../../runner/state/types.js";
import { newDeadLetter } from "./new-dead-letter.js";
import { storePagesContract } from "./store-pages-contract.js";

/**
 * The contract every state store implementation passes, unchanged: SQLite
 * and memory today, Postgres later. `open` gives a fresh, empty store.
 */
/**
 * The behaviour every state store shares. `documentCount`, for a store that keeps dead letters'
 * checkpoints and schemas apart, counts the copies it holds.
 */
export function stateStoreContract(name: string, open: () => StateStore | Promise<StateStore>, documentCount?: (store: StateStore) => Promise<number>): void {
  storePagesContract(name, open);
  const progress = (written: number): RunProgress => ({ orders: { read: written, written, deadLettered: 0 } });
  const letter = newDeadLetter;

  describe(`${name}: checkpoints`, () => {
    it("saves, reads back, replaces and clears a pipeline's checkpoint, pipelines apart", async () => {
      const store = await open();
      expect(await store.getCheckpoint("p")).toBeUndefined();
      await store.setCheckpoint("p", { bookmarks: { orders: { row: 3 } } }, "r1");
      await store.setCheckpoint("q", { other: true });
      expect(await store.getCheckpoint("p")).toMatchObject({ pipeline: "p", state: { bookmarks: { orders: { row: 3 } } }, runId: "r1" });
      await store.setCheckpoint("p", { bookmarks: { orders: { row: 9 } } });
      expect((await store.getCheckpoint("p"))?.state).toEqual({ bookmarks: { orders: { row: 9 } } });
      expect(await store.clearCheckpoint("p")).toBe(true);
      expect(await store.clearCheckpoint("p")).toBe(false);
      expect(await store.getCheckpoint("p")).toBeUndefined();
      expect((await store.getCheckpoint("q"))?.state).toEqual({ other: true });
      await store.close();
    });

    it("keeps pipeline names and state keys that are data: __proto__, constructor, case", async () => {
      const store = await open();
      const state = JSON.parse('{"__proto__": {"x": 1}, "constructor": 2}') as unknown;
      await store.setCheckpoint("__proto__", state);
      await store.setCheckpoint("Constructor", { a: 1 });
      await store.setCheckpoint("constructor", { a: 2 });
      expect((await store.getCheckpoint("__proto__"))?.state).toEqual(state);
      expect(Object.keys((await store.getCheckpoint("__proto__"))?.state as object)).toEqual(["__proto__", "constructor"]);
      expect((await store.getCheckpoint("Constructor"))?.state).toEqual({ a: 1 });
      expect((await store.getCheckpoint("constructor"))?.state).toEqual({ a: 2 });
      await store.close();
    });

    it("saves a checkpoint with the run's progress, both at once", async () => {
      const store = await open();
      await store.startRun("r1", "p");
      await store.saveCheckpoint("r1", "p", { n: 1 }, progress(10));
      expect((await store.getCheckpoint("p"))?.state).toEqual({ n: 1 });
      expect((await store.getRun("r1"))?.progress).toEqual(progress(10));
      await store.close();
    });

    it("leaves the checkpoint and the run's progress as they were when the save fails inside its transaction", async () => {
      const store = await open();
      await store.startRun("r1", "p");
      await store.saveCheckpoint("r1", "p", { n: 1 }, progress(10));
      // A progress value that fails as it is being stored: the fault happens inside the save.
      const failing = {
        orders: {
          read: 20,
          written: 20,
          get deadLettered(): number {
            throw new Error("disk gone");
          },
        },
      } as unknown as RunProgress;
      await expect(store.saveCheckpoint("r1", "p", { n: 2 }, failing)).rejects.toThrow("disk gone");
      expect((await store.getCheckpoint("p"))?.state).toEqual({ n: 1 });
      expect((await store.getRun("r1"))?.progress).toEqual(progress(10));
      await store.close();
    });
  });

  describe(`${name}: runs`, () => {
    it("records a run from start to finish, with its failure's code and kind", async () => {
      const store = await open();
      await store.startRun("r1", "p");
      const started = await store.getRun("r1");
      expect(started).toMatchObject({ id: "r1", pipeline: "p", status: "running" });
      expect([started?.endedAt, started?.error, started?.errorCode]).toEqual([undefined, undefined, undefined]);
      await store.addDeadLetter(letter({ runId: "r1" }));
      await store.finishRun("r1", "failed", progress(5), { code: "CONNECTOR_FAILED", kind: "fatal", message: "pipeline p, tap: exited 1" });
      const run = await store.getRun("r1");
      expect(run).toMatchObject({
        status: "failed",
        progress: progress(5),
        deadLettered: 1,
        error: "pipeline p, tap: exited 1",
        errorCode: "CONNECTOR_FAILED",
        errorKind: "fatal",
      });
      expect(run?.endedAt).toEqual(expect.any(String));
      await store.close();
    });

    it("lists runs newest first, per pipeline, up to a limit", async () => {
      const store = await open();
      for (const id of ["a1", "a2", "a3"]) await store.startRun(id, "a");
      await store.startRun("b1", "b");
      expect((await store.listRuns("a", 2)).map((run) => run.id)).toEqual(["a3", "a2"]);
      expect((await store.listRuns(undefined, 10)).map((run) => run.id)).toEqual(["b1", "a3", "a2", "a1"]);
      await store.close();
    });

    it("marks the runs a dead runner left running as failed, that pipeline's only", async () => {
      const store = await open();
      await store.startRun("a1", "a");
      await store.startRun("b1", "b");
      await store.startRun("a0", "a");
      await store.finishRun("a0", "succeeded", {});
      expect(await store.markAbandonedRuns("a")).toBe(1);
      expect(await store.getRun("a1")).toMatchObject({ status: "failed", errorCode: "RUN_ABANDONED", errorKind: "fatal" });
      expect((await store.getRun("a0"))?.status).toBe("succeeded");
      expect((await store.getRun("b1"))?.status).toBe("running");
      await store.close();
    });
  });

  describe(`${name}: dead letters`, () => {
    it("adds, filters, counts, replays and purges, by pipeline, stage, status and id", async () => {
      const store = await open();
      const first = await store.addDeadLetter(letter({ original: { id: 1 }, checkpoint: { n: 1 }, location: { file: "a.csv", line: 3 } }));
      const second = await store.addDeadLetter(letter({ stage: "sink_write", original: { id: 2 }, processed: { id: 2, x: 1 } }));
      const other = await store.addDeadLetter(letter({ pipeline: "q", original: { id: 3 } }));
      expect(await store.getDeadLetter(first)).toMatchObject({
        id: first,
        pipeline: "p",
        status: "pending",
        attempts: 0,
        original: { id: 1 },
        checkpoint: { n: 1 },
        location: { file: "a.csv", line: 3 },
      });
      expect((await store.listDeadLetters({ pipeline: "p" })).map((entry) => entry.id)).toEqual([first, second]);
      expect((await store.listDeadLetters({ pipeline: "p", stage: "sink_write" })).map((entry) => entry.id)).toEqual([second]);
      expect((await store.listDeadLetters({ pipeline: "p", ids: [second, other] })).map((entry) => entry.id)).toEqual([second]);
      expect((await store.listDeadLetters({ pipeline: "p", limit: 1 })).map((entry) => entry.id)).toEqual([first]);
      expect(await store.countDeadLetters({ pipeline: "p", status: "pending" })).toBe(2);

      await store.recordReplay([first], [{ id: second, error: "still bad" }]);
      expect(await store.getDeadLetter(first)).toMatchObject({ status: "done", attempts: 1 });
      expect((await store.getDeadLetter(first))?.lastError).toBeUndefined();
      expect(await store.getDeadLetter(second)).toMatchObject({ status: "pending", attempts: 1, lastError: "still bad" });
      expect(await store.purgeDeadLetters({ pipeline: "p", status: "done" })).toBe(1);
      expect((await store.listDeadLetters({ pipeline: "p" })).map((entry) => entry.id)).toEqual([second]);
      expect((await store.listDeadLetters({ pipeline: "q" })).map((entry) => entry.id)).toEqual([other]);
      await store.close();
    });
  });

  describe(`${name}: writes fenced by a lease`, () => {
    it("go through while the lease names the holder, are refused with LEASE_LOST once another holds it, and change nothing then", async () => {
      const store = await open();
      expect(await store.acquireLease("p", "worker-a", 60_000)).toBe(true);
      const fenced = store.fencedBy({ pipeline: "p", holder: "worker-a" });
      await fenced.startRun("r1", "p");
      await fenced.saveCheckpoint("r1", "p", { n: 1 }, {});
      // worker-a was paused past its lease; worker-b took over and saved further.
      await store.releaseLease("p", "worker-a");
      expect(await store.acquireLease("p", "worker-b", 60_000)).toBe(true);
      await store.fencedBy({ pipeline: "p", holder: "worker-b" }).saveCheckpoint("r1", "p", { n: 5 }, {});
      const refused: Array<[string, () => Promise<unknown>]> = [
        ["saveCheckpoint", () => fenced.saveCheckpoint("r1", "p", { n: 2 }, {})],
        ["finishRun", () => fenced.finishRun("r1", "succeeded", {})],
        ["addDeadLetter", () => fenced.addDeadLetter(letter({ pipeline: "p" }))],
        ["setNextRun", () => fenced.setNextRun("p", { at: "2030-01-01T00:00:00.000Z", schedule: "every 1h" })],
        ["startRun", () => fenced.startRun("r2", "p")],
        ["markAbandonedRuns", () => fenced.markAbandonedRuns("p")],
        ["recordReplay", () => fenced.recordReplay([], [])],
      ];
      for (const [write, call] of refused)
        expect(
          await call().then(
            () => "written",
            (error: { code?: string }) => error.code,
          ),
          write,
        ).toBe("LEASE_LOST");
      expect((await store.getCheckpoint("p"))?.state).toEqual({ n: 5 });
      expect((await store.getRun("r1"))?.status).toBe("running");
      expect(await store.countDeadLetters({ pipeline: "p" })).toBe(0);
      expect(await store.getNextRun("p")).toBeUndefined();
      // Closing the view leaves the store open.
      await fenced.close();
      expect((await store.getCheckpoint("p"))?.state).toEqual({ n: 5 });
      await store.close();
    });
  });

  describe(`${name}: a dead letter's edits and history`, () => {
    it("edits the record a replay sends (the original, dropping the processed copy; else the processed one), exactly, and keeps every failed replay and edit in order", async () => {
      const store = await open();
      const withOriginal = await store.addDeadLetter(letter({ original: { id: 1, v: "x" }, processed: { id: 1, v: "x", y: 1 }, raw: '{"id":1,"v":"x"}' }));
      const targetOnly = await store.addDeadLetter(letter({ stage: "sink_write", original: undefined, processed: { id: 2 } }));
      await store.recordReplay([], [{ id: withOriginal, error: "first failure" }]);
      const exact = parseRecordJson('{"id":1,"v":12345678901234567890,"__proto__":"data"}');
      await store.editDeadLetter(withOriginal, exact, "set v");
      await store.recordReplay([], [{ id: withOriginal, error: "second failure" }]);
      await store.editDeadLetter(targetOnly, { id: 2, fixed: true }, "set fixed");

      const edited = await store.getDeadLetter(withOriginal);
      expect(stringifyJson(edited?.original)).toBe('{"id":1,"v":12345678901234567890,"__proto__":"data"}');
      expect(edited?.processed).toBeUndefined();
      expect(edited?.raw).toBe('{"id":1,"v":"x"}');
      expect(edited?.lastError).toBe("second failure");
      expect(edited?.history.map((event) => [event.kind, event.detail])).toEqual([
        ["replay_failed", "first failure"],
        ["edited", "set v"],
        ["replay_failed", "second failure"],
      ]);
      expect(edited?.history.every((event) => !Number.isNaN(Date.parse(event.at)))).toBe(true);
      const other = await store.getDeadLetter(targetOnly);
      expect(other?.original).toBeUndefined();
      expect(other?.processed).toEqual({ id: 2, fixed: true });
      expect(other?.history.map((event) => event.kind)).toEqual(["edited"]);
      await store.close();
    });
  });

  describe(`${name}: dead letters' checkpoints and schemas`, () => {
    it("shares one copy among dead letters, gives each its own back, and keeps it while any refers to it", async () => {
      const store = await open();
      const big = { bookmarks: { s: { cursor: "x".repeat(100_000) } } };
      const schema = { type: "object", properties: { id: { type: "integer" } } };
      const ids: number[] = [];
      for (let index = 0; index < 50; index += 1) ids.push(await store.addDeadLetter(letter({ original: { id: index }, checkpoint: big, schema })));
      const later = { bookmarks: { s: { cursor: "y" } } };
      const last = await store.addDeadLetter(letter({ original: { id: 50 }, checkpoint: later, schema: { ...schema } }));
      expect(await store.getDeadLetter(ids[0] as number)).toMatchObject({ checkpoint: big, schema });
      expect(await store.getDeadLetter(last)).toMatchObject({ checkpoint: later, schema });
      expect(
        (await store.listDeadLetters({ pipeline: "p" })).map((entry) => (entry.checkpoint === undefined ? undefined : JSON.stringify(entry.checkpoint).length)),
      ).toEqual([...ids.map(() => JSON.stringify(big).length), JSON.stringify(later).length]);
      if (documentCount !== undefined) expect(await documentCount(store)).toBe(3);
      // Purging the first 49 keeps the copy the 50th still refers to; purging it too removes it.
      await store.recordReplay(ids.slice(0, 49), []);
      await store.purgeDeadLetters({ pipeline: "p", status: "done" });
      expect(await store.getDeadLetter(ids[49] as number)).toMatchObject({ checkpoint: big });
      await store.recordReplay([ids[49] as number], []);
      await store.purgeDeadLetters({ pipeline: "p", status: "done" });
      if (documentCount !== undefined) expect(await documentCount(store)).toBe(2);
      // The same checkpoint again after its copy went: stored anew.
      const again = await store.addDeadLetter(letter({ original: { id: 51 }, checkpoint: big, schema }));
      expect(await store.getDeadLetter(again)).toMatchObject({ checkpoint: big });
      await store.close();
    });
  });

  describe(`${name}: leases`, () => {
    it("lets one holder at a time have a pipeline, until it releases or the lease expires", async () => {
      const store = await open();
      expect(await store.acquireLease("p", "a", 60_000)).toBe(true);
      expect(await store.acquireLease("p", "b", 60_000)).toBe(false);
      expect(await store.acquireLease("p", "a", 60_000)).toBe(true);
      expect(await store.acquireLease("q", "b", 60_000)).toBe(true);
      expect(await store.leaseHolder("p")).toBe("a");
      expect(await store.renewLease("p", "b", 60_000)).toBe(false);
      expect(await store.renewLease("p", "a", 60_000)).toBe(true);
      await store.releaseLease("p", "b");
      expect(await store.leaseHolder("p")).toBe("a");
      await store.releaseLease("p", "a");
      expect(await store.leaseHolder("p")).toBeUndefined();
      expect(await store.acquireLease("p", "b", -1)).toBe(true);
      // Expired: free for anyone, and no longer anyone's.
      expect(await store.leaseHolder("p")).toBeUndefined();
      expect(await store.acquireLease("p", "c", 60_000)).toBe(true);
      await store.close();
    });

    it("hands a dead holder's lease to one taker only", async () => {
      const store = await open();
      await store.acquireLease("p", "dead", 60_000);
      expect(await store.takeOverLease("p", "dead", "x", 60_000)).toBe(true);
      expect(await store.takeOverLease("p", "dead", "y", 60_000)).toBe(false);
      expect(await store.leaseHolder("p")).toBe("x");
      await store.close();
    });
  });

  describe(`${name}: schedules`, () => {
    it("keeps when each pipeline is due next, replaces it, and keeps 'not again'", async () => {
      const store = await open();
      expect(await store.getNextRun("p")).toBeUndefined();
      await store.setNextRun("p", { at: "2026-11-24T10:00:00.000Z", schedule: "every 1h" });
      await store.setNextRun("__proto__", { at: undefined, schedule: "once" });
      expect(await store.getNextRun("p")).toEqual({ at: "2026-11-24T10:00:00.000Z", schedule: "every 1h" });
      await store.setNextRun("p", { at: "2026-11-24T11:00:00.000Z", schedule: "every 1h" });
      expect(await store.getNextRun("p")).toEqual({ at: "2026-11-24T11:00:00.000Z", schedule: "every 1h" });
      expect(await store.getNextRun("__proto__")).toEqual({ at: undefined, schedule: "once" });
      await store.close();
    });
  });

  describe(`${name}: discovered catalogs`, () => {
    it("keeps a catalog by key, replaces it under the same key, keys apart", async () => {
      const store = await open();
      expect(await store.getCachedCatalog("k1")).toBeUndefined();
      const first = { streams: [{ tap_stream_id: "__proto__", schema: { properties: { constructor: { type: "string" } } }, metadata: [] }] };
      await store.saveCachedCatalog("k1", "p", first);
      await store.saveCachedCatalog("k2", "q", { streams: [] });
      const cached = await store.getCachedCatalog("k1");
      expect(cached?.catalog).toEqual(first);
      expect(cached?.pipeline).toBe("p");
      expect(typeof cached?.discoveredAt).toBe("string");
      await store.saveCachedCatalog("k1", "q", { streams: [{ tap_stream_id: "b", schema: {}, metadata: [] }] });
      expect((await store.getCachedCatalog("k1"))?.catalog).toEqual({ streams: [{ tap_stream_id: "b", schema: {}, metadata: [] }] });
      expect((await store.getCachedCatalog("k1"))?.pipeline).toBe("q");
      expect((await store.getCachedCatalog("k2"))?.catalog).toEqual({ streams: [] });
      await store.close();
    });
  });
}
