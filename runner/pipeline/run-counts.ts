import type { RunTallies } from "../ports.js";
import type { RunProgress } from "../state/types.js";
import { progressAt } from "./checkpoint-tracker.js";
import type { ProgressSource } from "./checkpoint-keeper.js";
import { SourceNotes } from "./source-notes.js";
import { StreamCounters } from "./stream-counters.js";
import { TargetCounts } from "./target-counts.js";

/**
 * A run's counts: records read, delivered and rejected per stream, per
 * target sent and rejected, and from them its progress at a checkpoint.
 */
export class RunCounts implements ProgressSource, RunTallies {
  readonly read = new StreamCounters();
  readonly delivered = new StreamCounters();
  /** Rejected by any stage (but under on_error = "fail"), and of those by a target: sent, but not written. */
  readonly rejected = new StreamCounters();
  readonly rejectedBySink = new StreamCounters();
  readonly targets: TargetCounts;
  /** What the source said of its streams besides records (STREAM_STATUS, ESTIMATE). */
  readonly sourceNotes = new SourceNotes();

  constructor(targetCount: number) {
    this.targets = new TargetCounts(targetCount);
  }

  progressAt(written: Readonly<Record<string, number>>): RunProgress {
    return progressAt(this.read.byStream, written, this.rejected.byStream, this.rejectedBySink.byStream);
  }

  /** The run's progress at its end: what was sent after the last confirmation is counted apart. */
  final(written: Readonly<Record<string, number>>): RunProgress {
    return this.sourceNotes.annotate(progressAt(this.read.byStream, written, this.rejected.byStream, this.rejectedBySink.byStream, this.delivered.byStream));
  }
}
