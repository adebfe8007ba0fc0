import type { RunProgress } from "../state/types.js";
import { canonicalJson } from "../canonical-json.js";
import { countOf, streamTable } from "./stream-counters.js";

/** A STATE the runner forwarded to the targets, with what had been delivered before it. */
interface ForwardedState {
  readonly sequence: number;
  readonly value: unknown;
  readonly canonical: string;
  /** Records per stream forwarded before this STATE. */
  readonly delivered: Readonly<Record<string, number>>;
  /** Records sent to each target before this STATE (see TargetCounts). */
  readonly sentTo: readonly number[] | undefined;
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
 * earlier ones (targets may skip intermediate STATEs, and classic Singer
 * targets echo only once, at exit). The echo is matched to the newest
 * forwarded STATE with an equal value (compared as canonical JSON, so key
 * order does not matter) after that target's last confirmation; echoing the
 * last confirmed value again is harmless. The checkpoint is the newest STATE
 * confirmed by every target: never past the slowest one.
 *
 * Memory: only STATEs not yet behind the checkpoint are kept. Of several
 * pending STATEs with the same value only the newest can ever be matched, so
 * older ones are dropped; and past MAX_PENDING (a target that confirms only
 * at exit, on a long run) every other STATE of the older half is dropped
 * (the newer half, which echoes usually name, stays whole; the states targets
 * stand on always stay), so memory stays bounded whatever the run's length.
 * An echo of a dropped STATE is not an unknown one: it is ignored quietly,
 * and the target's next echo moves its confirmation on.
 */
export class CheckpointTracker {
  private forwarded: ForwardedState[] = [];
  private readonly confirmedBy: number[];
  private readonly lastConfirmed: Array<string | undefined>;
  private nextSequence = 1;
  private checkpointSequence = 0;
  /** The newest sequence thinning dropped (0 for none). */
  private thinnedUpTo = 0;

  /** Per target, the records it had been sent when it confirmed its latest STATE (see TargetCounts). */
  private readonly sentAtConfirmation: number[];

  constructor(targetCount: number) {
    this.sentAtConfirmation = new Array<number>(targetCount).fill(0);
    this.confirmedBy = new Array<number>(targetCount).fill(0);
    this.lastConfirmed = new Array<string | undefined>(targetCount).fill(undefined);
  }

  /** Records a STATE about to be forwarded; returns its sequence number. */
  forward(value: unknown, delivered: Readonly<Record<string, number>>, sentTo?: readonly number[]): number {
    const sequence = this.nextSequence;
    this.nextSequence += 1;
    const canonical = canonicalJson(value);
    const previous = this.forwarded.at(-1);
    // A repeat of the STATE just before it (taps that re-send an unchanged state) replaces it, unless it is the checkpoint.
    if (
      previous !== undefined &&
      previous.canonical === canonical &&
      previous.sequence > this.checkpointSequence &&
      !this.confirmedBy.includes(previous.sequence)
    )
      this.forwarded.pop();
    this.forwarded.push({ sequence, value, canonical, delivered: Object.assign(streamTable<number>(), delivered), sentTo });
    if (this.forwarded.length > MAX_PENDING) this.thin();
    return sequence;
  }

  /**
   * True if `value` equals a STATE forwarded and not yet behind the
   * checkpoint, or the last one some target confirmed: a line a target
   * writes that is such a value is a bare echo of it.
   */
  recognises(value: unknown): boolean {
    const canonical = canonicalJson(value);
    return this.lastConfirmed.includes(canonical) || this.forwarded.some((state) => state.canonical === canonical);
  }

  /**
   * A target echoed a STATE. Returns the new checkpoint if every target has
   * now confirmed past the previous one, "unknown" if the value matches
   * nothing forwarded since that target's last confirmation (nor is that
   * confirmation again), else undefined.
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
    if (match === undefined) return this.lastConfirmed[target] === canonical || this.thinnedUpTo > after ? undefined : "unknown";
    this.confirmedBy[target] = match.sequence;
    this.lastConfirmed[target] = canonical;
    const sent = match.sentTo?.[target];
    if (sent !== undefined) this.sentAtConfirmation[target] = sent;
    return this.advance();
  }

  /** Records `target` had been sent when it confirmed its latest STATE. */
  sentConfirmedBy(target: number): number {
    return this.sentAtConfirmation[target] ?? 0;
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

  /** Drops every other STATE of the older half that no target stands on; the newer half and the checkpoint stay. */
  private thin(): void {
    const olderHalf = Math.floor(this.forwarded.length / 2);
    this.forwarded = this.forwarded.filter((state, index) => {
      const keep = index >= olderHalf || index % 2 === 0 || state.sequence <= this.checkpointSequence || this.confirmedBy.includes(state.sequence);
      if (!keep) this.thinnedUpTo = Math.max(this.thinnedUpTo, state.sequence);
      return keep;
    });
  }
}

/** Pending STATEs kept before thinning: far more than a target that confirms as it goes ever leaves. */
const MAX_PENDING = 10_000;

/**
 * Progress for the run history: read counts as they stand; written, the
 * records every target confirmed (`confirmed`: sent before the last STATE
 * they all confirmed) less those a target rejected (`sinkRejected`);
 * unconfirmed, what was sent after that (`sent`, when given: a run's end).
 */
export function progressAt(
  read: Readonly<Record<string, number>>,
  confirmed: Readonly<Record<string, number>>,
  deadLettered: Readonly<Record<string, number>>,
  sinkRejected: Readonly<Record<string, number>> = {},
  sent?: Readonly<Record<string, number>>,
): RunProgress {
  const streams = new Set([...Object.keys(read), ...Object.keys(confirmed), ...Object.keys(deadLettered), ...Object.keys(sent ?? {})]);
  const progress = streamTable<RunProgress[string]>();
  for (const stream of streams) {
    const kept = Math.max(0, countOf(sent ?? confirmed, stream) - countOf(sinkRejected, stream));
    const written = Math.min(kept, Math.max(0, countOf(confirmed, stream) - countOf(sinkRejected, stream)));
    progress[stream] = {
      read: countOf(read, stream),
      written,
      deadLettered: countOf(deadLettered, stream),
      ...(sent === undefined ? {} : { unconfirmed: kept - written }),
    };
  }
  return progress;
}
