/** Counts per stream, kept in a plain object so snapshots are cheap copies. */
export class StreamCounters {
  readonly byStream: Record<string, number> = {};
  total = 0;

  add(stream: string, count = 1): void {
    this.byStream[stream] = (this.byStream[stream] ?? 0) + count;
    this.total += count;
  }

  snapshot(): Record<string, number> {
    return { ...this.byStream };
  }
}
