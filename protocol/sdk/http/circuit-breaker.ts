import { TransientError } from "../../errors.js";
import { ProtocolCodes } from "../../messages/codes.js";

/**
 * Closed: requests go out. After `threshold` failures in a row it opens:
 * requests fail at once for `cooldownMs`. Then it is half-open: one probe
 * goes out; success closes it, failure opens it again.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private probing = false;

  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
    private readonly name: string,
  ) {}

  get state(): "closed" | "open" | "half-open" {
    if (this.openedAt === undefined) return "closed";
    return Date.now() - this.openedAt >= this.cooldownMs ? "half-open" : "open";
  }

  /** Throws while open; lets one probe through when half-open. */
  before(): void {
    const state = this.state;
    if (state === "closed") return;
    if (state === "half-open" && !this.probing) {
      this.probing = true;
      return;
    }
    const wait = Math.max(0, this.cooldownMs - (Date.now() - (this.openedAt ?? 0)));
    throw new TransientError(
      ProtocolCodes.CIRCUIT_OPEN,
      `the circuit to ${this.name} is open after ${this.failures} failures in a row; next try in ${(wait / 1000).toFixed(1)} s`,
      {
        hint: "The source is failing; it will be tried again after the cool-down.",
      },
    );
  }

  success(): void {
    this.failures = 0;
    this.openedAt = undefined;
    this.probing = false;
  }

  failure(): void {
    this.failures += 1;
    this.probing = false;
    if (this.failures >= this.threshold || this.openedAt !== undefined) this.openedAt = Date.now();
  }
}
