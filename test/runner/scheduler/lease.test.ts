import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { holderId, holderIsDead, withLease } from "../../../runner/scheduler/lease.js";
import { procStat } from "../../../runner/scheduler/process-identity.js";
import { MemoryStateStore } from "../../../runner/state/memory/memory-state-store.js";
import { exited } from "../../helpers/processes.js";
import { waitFor } from "../../helpers/project.js";

/**
 * A zombie: a child of `sleep` (which never reaps) that has exited. Resolves with its pid and the sleeper.
 * The child outlives bash's exec of `sleep 30` by half a second: one that exited before it could be
 * reaped by bash itself, and never become a zombie (a flake seen in CI).
 */
async function zombie() {
  const sleeper = spawn("bash", ["-c", "sleep 0.5 & echo $!; exec sleep 30"], { stdio: "pipe" });
  let out = "";
  sleeper.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  await waitFor(() => out.includes("\n"), 10_000, "the child's pid");
  const pid = Number(out.trim());
  await waitFor(() => procStat(pid)?.state === "Z", 10_000, "the child to become a zombie");
  return { pid, sleeper };
}

describe("lease holders' liveness", () => {
  it("a live holder is alive: this process", () => {
    expect(holderIsDead(holderId())).toBe(false);
  });

  it("a holder whose pid now belongs to a process started at another time is dead (pid reused)", () => {
    const [host, pid, start] = holderId().split(":");
    expect(start).toMatch(/^\d+$/);
    expect(holderIsDead(`${host}:${pid}:${Number(start) + 1}:abc`)).toBe(true);
  });

  it("a holder that exited is dead; one on another host is never judged here", async () => {
    const child = spawn("true");
    const pid = child.pid as number;
    await exited(child);
    expect(holderIsDead(`${hostname()}:${pid}:-:abc`)).toBe(true);
    expect(holderIsDead(`another-host:${process.pid}:1:abc`)).toBe(false);
  });

  it("a zombie holder (killed, never reaped) is dead, and its lease is taken over at once", async () => {
    const { pid, sleeper } = await zombie();
    try {
      const holder = `${hostname()}:${pid}:${procStat(pid)?.startTicks ?? "-"}:zzz`;
      expect(holderIsDead(holder)).toBe(true);
      const store = new MemoryStateStore();
      await store.acquireLease("p", holder, 60_000);
      const outcome = await withLease(store, "p", holderId(), 60, async () => "ran");
      expect(outcome).toEqual({ ran: true, value: "ran" });
    } finally {
      sleeper.kill("SIGKILL");
      await exited(sleeper);
    }
  });

  it("a live holder's lease is not taken", async () => {
    const store = new MemoryStateStore();
    const other = holderId();
    await store.acquireLease("p", other, 60_000);
    expect(await withLease(store, "p", `${hostname()}:${process.pid}:-:mine`, 60, async () => "ran")).toEqual({ ran: false, holder: other });
  });
});
