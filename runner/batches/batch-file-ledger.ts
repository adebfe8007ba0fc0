import { rmSync } from "node:fs";
import type { Logger } from "../../protocol/index.js";
import type { CheckpointListener } from "../ports.js";

/**
 * Which batch files each forwarded STATE covers, so a file is removed once
 * the STATE after it is confirmed by every target (the checkpoint moved past
 * it), and never before: files of a run that crashed or failed stay on disk
 * for whoever looks (the resumed run asks the tap again from the checkpoint).
 */
export class BatchFileLedger implements CheckpointListener {
  private pending: string[] = [];
  private readonly sealed: Array<{ readonly sequence: number; readonly paths: readonly string[] }> = [];

  constructor(
    private readonly logger: Logger,
    private readonly pipeline: string,
  ) {}

  /** Files whose records were just sent to the targets. */
  sent(paths: readonly string[]): void {
    this.pending.push(...paths);
  }

  /** STATE number `sequence` is being forwarded: it covers the files sent before it. */
  stateForwarded(sequence: number): void {
    if (this.pending.length === 0) return;
    this.sealed.push({ sequence, paths: this.pending });
    this.pending = [];
  }

  /** Every target confirmed STATE number `sequence`: the files it covers are removed. */
  checkpointConfirmed(_state: unknown, _written: unknown, sequence: number): void {
    while (this.sealed.length > 0 && (this.sealed[0]?.sequence ?? Number.POSITIVE_INFINITY) <= sequence) {
      for (const path of this.sealed.shift()?.paths ?? []) {
        try {
          rmSync(path, { force: true });
        } catch (error) {
          this.logger.warn(
            `pipeline ${this.pipeline}: could not remove batch file ${path} (${(error as Error).message}); its records are confirmed, it may be deleted`,
          );
        }
      }
    }
  }
}
