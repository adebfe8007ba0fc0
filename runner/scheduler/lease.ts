import { hostname } from "node:os";
import { asAgoraError, FatalError } from "../../protocol/index.js";
import type { LeaseStore } from "../state/interfaces.js";
import type { HeldLease } from "../ports.js";
import { RunnerCodes } from "../errors.js";
import { WORKER_SCHEMA } from "../project/project-schema.js";
import { procStat, processIsAlive } from "./process-identity.js";

/** A lease's lifetime for runs outside a worker (agora run, dlq replay): the worker's default. */
export const DEFAULT_LEASE_SECONDS = WORKER_SCHEMA.properties.lease_seconds.default;

/**
 * An id for this process as a lease holder: host, pid, the process's start
 * time (from /proc, "-" without it) and a random part. The start time tells
 * this process from a later one that reuses its pid.
 */
export function holderId(): string {
  return `${hostname()}:${process.pid}:${procStat(process.pid)?.startTicks ?? "-"}:${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * True if the holder is a process of this host that no longer runs: gone, a
 * zombie, or its pid now someone else's. Holders on other hosts are never
 * judged dead here (their lease expires instead).
 */
export function holderIsDead(holder: string): boolean {
  const parts = holder.split(":");
  const [host, pid] = parts;
  if (host !== hostname() || pid === undefined || !/^\d+$/.test(pid)) return false;
  // Ids of older versions have no start time (host:pid:random).
  const startTicks = parts.length >= 4 && parts[2] !== "-" ? parts[2] : undefined;
  return !processIsAlive(Number(pid), startTicks);
}

/** Tells a job holding a lease when the lease is found lost (a renewal refused). */
export class LeaseWatch implements HeldLease {
  private readonly listeners = new Set<() => void>();
  private lost = false;

  /** Calls `listener` once the lease is lost (at once if it is already). */
  onLost(listener: () => void): () => void {
    if (this.lost) listener();
    else this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  markLost(): void {
    if (this.lost) return;
    this.lost = true;
    for (const listener of this.listeners) listener();
    this.listeners.clear();
  }
}

/**
 * Runs `work` while holding the pipeline's lease, renewing it every third of
 * its lifetime; reports `ran: false` without running when another live
 * process holds it. If this process dies, the lease expires, or is taken
 * over at once by the next process on the same host (the pid is gone).
 * `work` is handed a LeaseWatch that says when the lease is found lost (a
 * renewal refused: this process was paused past it and another took over).
 */
export async function withLease<T>(
  store: LeaseStore,
  pipeline: string,
  holder: string,
  leaseSeconds: number,
  work: (lease: LeaseWatch) => Promise<T>,
): Promise<{ ran: true; value: T } | { ran: false; holder: string | undefined }> {
  const ttlMs = leaseSeconds * 1000;
  if (!(await store.acquireLease(pipeline, holder, ttlMs))) {
    // A lease left by a process of this host that was killed need not wait out its expiry.
    const current = await store.leaseHolder(pipeline);
    if (current === undefined || !holderIsDead(current) || !(await store.takeOverLease(pipeline, current, holder, ttlMs)))
      return { ran: false, holder: current };
  }
  const lease = new LeaseWatch();
  const heartbeat = setInterval(
    () => {
      void store.renewLease(pipeline, holder, ttlMs).then(
        (renewed) => {
          if (!renewed) lease.markLost();
        },
        () => process.stderr.write(`agora warn: could not renew the lease on pipeline ${pipeline}\n`),
      );
    },
    Math.max(250, ttlMs / 3),
  );
  heartbeat.unref();
  try {
    return { ran: true, value: await work(lease) };
  } finally {
    clearInterval(heartbeat);
    // A store that cannot write now (a full disk) must not hide how the work went; the lease runs out by itself.
    await store.releaseLease(pipeline, holder).catch((error: unknown) => {
      process.stderr.write(
        `agora warn: could not release the lease on pipeline ${pipeline} (${asAgoraError(error).message}); it runs out by itself within ${leaseSeconds} s\n`,
      );
    });
  }
}

export function busyError(pipeline: string, holder: string | undefined): FatalError {
  return new FatalError(RunnerCodes.PIPELINE_BUSY, `pipeline ${pipeline} is already running${holder === undefined ? "" : ` (${holder})`}`, {
    hint: "Wait for that run to finish; two runs of one pipeline never overlap.",
  });
}
