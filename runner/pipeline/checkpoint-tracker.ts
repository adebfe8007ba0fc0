import type { RunProgress } from "../state/types.js";
import { canonicalJson } from "./canonical-json.js";

/** A STATE the runner forwarded to the targets, with what had been delivered before it. */
interface ForwardedState {
  readonly sequence: number;
  readonly value: unknown;
  readonly canonical: string;
  /** Records per stream forwarded before this STATE. */
  readonly delivered: Readonly<Record<string, number>>;
}

export interface ConfirmedCheckpoint {
  readonly sequence: number;
  readonly value: unknown;
  readonly delivered: Readonly<Record<string, number>>;
}

/**
 * Numbers every STATE forwarded, and works out which one every target has
 * confirmed.
 *
 * A target confirms a STATE by echoing its value; that confirms it and all
 * earlier ones (targets may skip intermediate STATEs). The echo is matched
 * to the newest forwarded STATE with an equal value (compared as canonical
 * JSON, so key order does not matter) after that target's last confirmation.
 * The checkpoint is the newest STATE confirmed by every target: never past
 * the slowest one.
 */
export class CheckpointTracker {
  private readonly forwarded: ForwardedState[] = [];
  private readonly confirmedBy: number[];
  private nextSequence = 1;
  private checkpointSequence = 0;

  constructor(targetCount: number) {
    this.confirmedBy = new Array<number>(targetCount).fill(0);
  }

  /** Records a STATE about to be forwarded; returns its sequence number. */
  forward(value: unknown, delivered: Readonly<Record<string, number>>): number {
    const sequence = this.nextSequence;
    this.nextSequence += 1;
    this.forwarded.push({ sequence, value, canonical: canonicalJson(value), delivered: { ...delivered } });
    return sequence;
  }

  /**
   * A target echoed a STATE. Returns the new checkpoint if every target has
   * now confirmed past the previous one, "unknown" if the value matches
   * nothing forwarded since that target's last confirmation, else undefined.
   */
  confirm(target: number, value: unknown): ConfirmedCheckpoint | "unknown" | undefined {
    const canonical = canonicalJson(value);
    const after = this.confirmedBy[target] ?? 0;
    let match: ForwardedState | undefined;
    for (let index = this.forwarded.length - 1; index >= 0; index -= 1) {
      const state = this.forwarded[index] as ForwardedState;
      if (state.sequence <= after) break;
      if (state.canonical === canonical) {
        match = state;
        break;
      }
    }
    if (match === undefined) return "unknown";
    this.confirmedBy[target] = match.sequence;
    return this.advance();
  }

  /** The sequence every target has confirmed (0 for none). */
  get confirmedSequence(): number {
    return this.checkpointSequence;
  }

  /** STATEs forwarded so far. */
  get forwardedCount(): number {
    return this.nextSequence - 1;
  }

  private advance(): ConfirmedCheckpoint | undefined {
    const lowest = Math.min(...this.confirmedBy);
    if (lowest <= this.checkpointSequence) return undefined;
    this.checkpointSequence = lowest;
    const index = this.forwarded.findIndex((state) => state.sequence === lowest);
    const state = this.forwarded[index] as ForwardedState;
    // Everything before the checkpoint can never be matched again.
    this.forwarded.splice(0, index);
    return { sequence: state.sequence, value: state.value, delivered: state.delivered };
  }
}

/** Progress for the run history: read counts as they stand, written as of the checkpoint. */
export function progressAt(read: Readonly<Record<string, number>>, delivered: Readonly<Record<string, number>>, deadLettered: Readonly<Record<string, number>>): RunProgress {
  const streams = new Set([...Object.keys(read), ...Object.keys(delivered), ...Object.keys(deadLettered)]);
  const progress: RunProgress = {};
  for (const stream of streams) {
    progress[stream] = { read: read[stream] ?? 0, written: delivered[stream] ?? 0, deadLettered: deadLettered[stream] ?? 0 };
  }
  return progress;
}
