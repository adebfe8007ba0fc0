import { describe, expect, it } from "vitest";
import { stringifyJson } from "../../../protocol/index.js";
import type { StateStore } from "../../../runner/state/interfaces.js";
import { newDeadLetter } from "./new-dead-letter.js";

/**
 * What the console reads from every store: runs and dead letters a page at a
 * time, dead letters counted by kind, and each run's last checkpoint.
 */
export function storePagesContract(name: string, open: () => StateStore | Promise<StateStore>): void {
  const letter = newDeadLetter;

  describe(`${name}: pages`, () => {
    it("pages runs newest first and counts them, per pipeline and in all", async () => {
      const store = await open();
      for (const id of ["a1", "a2", "a3", "a4", "a5"]) await store.startRun(id, "a");
      await store.startRun("b1", "b");
      expect((await store.listRuns("a", 2, 0)).map((run) => run.id)).toEqual(["a5", "a4"]);
      expect((await store.listRuns("a", 2, 2)).map((run) => run.id)).toEqual(["a3", "a2"]);
      expect((await store.listRuns("a", 2, 4)).map((run) => run.id)).toEqual(["a1"]);
      expect((await store.listRuns(undefined, 2, 1)).map((run) => run.id)).toEqual(["a5", "a4"]);
      expect(await store.countRuns("a")).toBe(5);
      expect(await store.countRuns(undefined)).toBe(6);
      expect(await store.countRuns("none")).toBe(0);
      await store.close();
    });

    it("filters dead letters by stream and error code, pages them in id order, and groups them", async () => {
      const store = await open();
      const a = await store.addDeadLetter(letter({ stream: "orders" }));
      const b = await store.addDeadLetter(letter({ stream: "users", errorCode: "SINK_REJECTED", stage: "sink_write" }));
      const c = await store.addDeadLetter(letter({ stream: "orders" }));
      const d = await store.addDeadLetter(letter({ stream: "orders", errorCode: "MIDDLEWARE_FAILED", stage: "middleware" }));
      await store.addDeadLetter(letter({ pipeline: "q", stream: "orders" }));
      await store.recordReplay([c], []);
      const ids = async (filter: Omit<Parameters<StateStore["listDeadLetters"]>[0], "pipeline">) =>
        (await store.listDeadLetters({ pipeline: "p", ...filter })).map((entry) => entry.id);
      expect(await ids({ stream: "orders" })).toEqual([a, c, d]);
      expect(await ids({ errorCode: "RECORD_INVALID" })).toEqual([a, c]);
      expect(await ids({ stream: "orders", errorCode: "RECORD_INVALID", status: "pending" })).toEqual([a]);
      expect(await ids({ limit: 2, offset: 1 })).toEqual([b, c]);
      expect(await ids({ offset: 3 })).toEqual([d]);
      expect(await store.countDeadLetters({ pipeline: "p", stream: "users" })).toBe(1);
      expect(await store.groupDeadLetters("p")).toEqual([
        { stream: "orders", stage: "middleware", errorCode: "MIDDLEWARE_FAILED", status: "pending", count: 1 },
        { stream: "orders", stage: "validate", errorCode: "RECORD_INVALID", status: "done", count: 1 },
        { stream: "orders", stage: "validate", errorCode: "RECORD_INVALID", status: "pending", count: 1 },
        { stream: "users", stage: "sink_write", errorCode: "SINK_REJECTED", status: "pending", count: 1 },
      ]);
      expect(await store.groupDeadLetters("none")).toEqual([]);
      await store.close();
    });

    it("keeps the last checkpoint each run saved, newest run first, exactly", async () => {
      const store = await open();
      await store.startRun("r1", "p");
      await store.saveCheckpoint("r1", "p", { bookmark: 1 }, {});
      await store.saveCheckpoint("r1", "p", { bookmark: 2 }, {});
      await store.startRun("r2", "p");
      await store.startRun("r3", "p");
      await store.saveCheckpoint("r3", "p", { bookmark: 12345678901234567890n }, {});
      await store.startRun("q1", "q");
      await store.saveCheckpoint("q1", "q", { other: true }, {});
      const history = await store.checkpointHistory("p", 10);
      // Past 2^64, written and read back digit for digit.
      expect(history.map((entry) => [entry.runId, stringifyJson(entry.state)])).toEqual([
        ["r3", '{"bookmark":12345678901234567890}'],
        ["r1", '{"bookmark":2}'],
      ]);
      expect(history[0]?.savedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(history[1]?.bytes).toBe('{"bookmark":2}'.length);
      expect((await store.checkpointHistory("p", 1)).map((entry) => entry.runId)).toEqual(["r3"]);
      await store.close();
    });

    it("keeps only the size of a checkpoint over 64 KiB, and a copy for the newest 50 runs only", async () => {
      const store = await open();
      await store.startRun("big", "p");
      const large = { cursor: "x".repeat(70_000) };
      await store.saveCheckpoint("big", "p", large, {});
      const [only, ...none] = await store.checkpointHistory("p", 5);
      expect([only?.runId, only?.state, only?.bytes, none]).toEqual(["big", undefined, '{"cursor":""}'.length + 70_000, []]);
      // The current checkpoint is whole, whatever its size.
      expect((await store.getCheckpoint("p"))?.state).toEqual(large);
      for (let run = 0; run < 50; run++) {
        await store.startRun(`r${String(run).padStart(2, "0")}`, "p");
        await store.saveCheckpoint(`r${String(run).padStart(2, "0")}`, "p", { run }, {});
      }
      await store.startRun("r50", "p");
      const history = await store.checkpointHistory("p", 100);
      const kept = history.filter((entry) => entry.state !== undefined).map((entry) => entry.runId);
      expect(kept).toHaveLength(49);
      expect(kept[0]).toBe("r49");
      expect(kept.at(-1)).toBe("r01");
      await store.close();
    });
  });
}
