/** A token bucket: on average `perSecond` requests a second, bursts of at most `burst`. */
export class RateLimiter {
  private tokens: number;
  private last = performance.now();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly perSecond: number,
    private readonly burst = 1,
  ) {
    this.tokens = burst;
  }

  /** Resolves when a request may go out. Callers are served in order. */
  take(): Promise<void> {
    this.queue = this.queue.then(async () => {
      for (;;) {
        const now = performance.now();
        this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
        this.last = now;
        if (this.tokens >= 1) {
          this.tokens -= 1;
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.ceil(((1 - this.tokens) / this.perSecond) * 1000)));
      }
    });
    return this.queue;
  }
}
