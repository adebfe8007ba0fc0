import type { Logger } from "../../protocol/index.js";
import type { ConnectorExit } from "../process/connector-process.js";
import { waitForExit } from "../process/wait-for-exit.js";
import { argsWithConfig } from "./connector-config.js";
import { TargetChannel, type TargetCallbacks } from "./target-channel.js";
import type { ConnectorDefinition } from "./types.js";

/**
 * A pipeline's targets, as one: started the same way for a sync and a
 * replay (config in a private file, dead letters asked for), fed the same
 * lines, flushed with the slowest one's backpressure, and ended with a
 * grace period each.
 */
export class TargetSet {
  readonly channels: readonly TargetChannel[];

  constructor(targets: readonly ConnectorDefinition[], workDir: string, callbacks: TargetCallbacks, logger: Logger) {
    this.channels = targets.map(
      (target, index) =>
        new TargetChannel(
          index,
          { ...target, role: "target", args: argsWithConfig(target, workDir), env: { ...target.env, AGORA_DEAD_LETTER: "1" } },
          callbacks,
          logger,
        ),
    );
  }

  /** The name of target `index`, for messages. */
  nameOf(index: number): string {
    return this.channels[index]?.name ?? "a target";
  }

  /** Calls `handler` when each target exits, however it ends. */
  onExit(handler: (channel: TargetChannel, exit: ConnectorExit) => void): void {
    for (const channel of this.channels) void channel.process.exited.then((exit) => handler(channel, exit));
  }

  /** Queues one line (with its newline) for the targets listed by index (every target when undefined). */
  queue(line: string, to?: readonly number[]): void {
    if (to === undefined) for (const channel of this.channels) channel.queue(line);
    else for (const index of to) this.channels[index]?.queue(line);
  }

  /** Writes what is queued; a promise when some target's pipe is full, settled once all have drained (or exited). */
  flush(): Promise<void> | undefined {
    const waits: Array<Promise<void>> = [];
    for (const channel of this.channels) {
      const wait = channel.flush();
      if (wait !== undefined) waits.push(wait);
    }
    return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
  }

  kill(signal: NodeJS.Signals): void {
    for (const channel of this.channels) channel.process.kill(signal);
  }

  /** Closes every target's input (no more messages) and waits for each to exit, killing one that takes longer than `graceMs`. */
  async end(graceMs: number): Promise<ConnectorExit[]> {
    await Promise.all(this.channels.map((channel) => channel.end()));
    return Promise.all(this.channels.map((channel) => waitForExit(channel.process, graceMs)));
  }
}
