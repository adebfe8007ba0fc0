import type { RunProgress } from "../state/types.js";

/**
 * What a source said of its streams beyond their records (an Airbyte
 * source's STREAM_STATUS and ESTIMATE): the last status and the expected
 * count of each stream, kept with the run's progress.
 */
export class SourceNotes {
  private readonly statuses = new Map<string, string>();
  private readonly expected = new Map<string, number>();

  status(stream: string, status: string): void {
    this.statuses.set(stream, status);
  }

  estimate(stream: string, rows: number): void {
    this.expected.set(stream, rows);
  }

  /** `progress` with each stream's status and expected count; a stream it said something of but sent no record of is listed too. */
  annotate(progress: RunProgress): RunProgress {
    if (this.statuses.size === 0 && this.expected.size === 0) return progress;
    const annotated: RunProgress = Object.create(null) as RunProgress;
    for (const [stream, counts] of Object.entries(progress)) annotated[stream] = { ...counts };
    for (const stream of new Set([...this.statuses.keys(), ...this.expected.keys()])) {
      const counts = annotated[stream] ?? { read: 0, written: 0, deadLettered: 0 };
      const status = this.statuses.get(stream);
      const expected = this.expected.get(stream);
      annotated[stream] = { ...counts, ...(status === undefined ? {} : { sourceStatus: status }), ...(expected === undefined ? {} : { expected }) };
    }
    return annotated;
  }
}
