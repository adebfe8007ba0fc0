import type { RunPhase } from "./run-phase.js";
import type { RunEvents } from "./run-events.js";

/**
 * When a run last made progress, and what it is waiting for: what its idle
 * watchdog judges (a run idle past idle_timeout_seconds is hung) and what
 * a display shows. Each part of the run touches it as things move.
 */
export class Activity {
  private last = Date.now();
  private current: RunPhase = { kind: "reading_tap" };

  constructor(private readonly events: RunEvents) {}

  /** Something moved: a chunk from the tap, a confirmation, a target's pipe drained. */
  touch(): void {
    this.last = Date.now();
  }

  /** The run now waits for this. */
  enter(phase: RunPhase): void {
    this.current = phase;
    this.last = Date.now();
    this.events.emit("phase", phase);
  }

  get phase(): RunPhase {
    return this.current;
  }

  /** Milliseconds since the run last moved. */
  idleMs(): number {
    return Date.now() - this.last;
  }
}

/** What a watched run is told when it stops moving. */
export interface HangHandler {
  /** Nothing moved for `idleSeconds` while the run waited in `phase`. */
  hung(idleSeconds: number, phase: RunPhase): void;
}

/**
 * Checks a run's activity every second (more often for a shorter timeout):
 * idle past `idleSeconds`, the run is told it hung. Returns the stop.
 */
export function watchIdle(activity: Activity, idleSeconds: number, run: HangHandler): () => void {
  const timer = setInterval(
    () => {
      if (activity.idleMs() >= idleSeconds * 1000) run.hung(idleSeconds, activity.phase);
    },
    Math.min(1000, idleSeconds * 250),
  );
  return () => clearInterval(timer);
}
