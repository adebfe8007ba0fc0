import { hostname } from "node:os";
import { FatalError } from "../../protocol/index.js";
import type { SqliteStateStore } from "../state/sqlite-state-store.js";

export const DEFAULT_LEASE_SECONDS = 60;

/** An id for this process as a lease holder: host, pid and a random part. */
export function holderId(): string {
  return `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}

/** True if the holder is a process on this host that no longer exists (a killed runner). */
export function holderIsDead(holder: string): boolean {
  const [host, pid] = holder.split(":");
  if (host !== hostname() || pid === undefined || !/^\d+$/.test(pid)) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * Runs `work` while holding the pipeline's lease, renewing it every third of
 * its lifetime; reports `ran: false` without running when another live
 * process holds it. If this process dies, the lease expires, or is taken
 * over at once by the next process on the same host (the pid is gone).
 */
export async function withLease<T>(store: SqliteStateStore, pipeline: string, holder: string, leaseSeconds: number, work: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false; holder: string | undefined }> {
  const ttlMs = leaseSeconds * 1000;
  if (!store.acquireLease(pipeline, holder, ttlMs)) {
    // A lease left by a process of this host that was killed need not wait out its expiry.
    const current = store.leaseHolder(pipeline);
    if (current === undefined || !holderIsDead(current) || !store.takeOverLease(pipeline, current, holder, ttlMs)) return { ran: false, holder: current };
  }
  const heartbeat = setInterval(() => {
    if (!store.renewLease(pipeline, holder, ttlMs)) process.stderr.write(`agora warn: lost the lease on pipeline ${pipeline}\n`);
  }, Math.max(250, ttlMs / 3));
  heartbeat.unref();
  try {
    return { ran: true, value: await work() };
  } finally {
    clearInterval(heartbeat);
    store.releaseLease(pipeline, holder);
  }
}

export function busyError(pipeline: string, holder: string | undefined): FatalError {
  return new FatalError("PIPELINE_BUSY", `pipeline ${pipeline} is already running${holder === undefined ? "" : ` (${holder})`}`, {
    hint: "Wait for that run to finish; two runs of one pipeline never overlap.",
  });
}
