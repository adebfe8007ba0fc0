import type { TargetProgress } from "../state/types.js";

/**
 * Per target: records sent, and rejected. The data path counts what it
 * sends; each STATE carries a snapshot of the counts on its way out, so a
 * target's echo of it tells how many it had been sent then (the
 * CheckpointTracker keeps that). Costs one array increment per record and
 * target.
 */
export class TargetCounts {
  private readonly sentTo: number[];
  private readonly rejectedBy: number[];

  constructor(targets: number) {
    this.sentTo = new Array<number>(targets).fill(0);
    this.rejectedBy = new Array<number>(targets).fill(0);
  }

  /** `count` records sent to `to` (every target when undefined). */
  sent(to: readonly number[] | undefined, count = 1): void {
    if (to === undefined) for (let index = 0; index < this.sentTo.length; index += 1) this.sentTo[index] = (this.sentTo[index] as number) + count;
    else for (const index of to) this.sentTo[index] = (this.sentTo[index] ?? 0) + count;
  }

  /** The counts as a STATE leaves: what its echo by a target confirms. */
  snapshot(): readonly number[] {
    return [...this.sentTo];
  }

  /** `target` rejected one record. */
  rejected(target: number): void {
    this.rejectedBy[target] = (this.rejectedBy[target] ?? 0) + 1;
  }

  /** Each target's counts; `confirmed(i)`: records target i had been sent when it confirmed its latest STATE. */
  report(names: readonly string[], confirmed: (target: number) => number): TargetProgress[] {
    return names.map((target, index) => {
      const rejected = this.rejectedBy[index] ?? 0;
      const kept = Math.max(0, (this.sentTo[index] ?? 0) - rejected);
      const written = Math.min(kept, Math.max(0, confirmed(index) - rejected));
      return { target, sent: this.sentTo[index] ?? 0, written, rejected, unconfirmed: kept - written };
    });
  }
}
