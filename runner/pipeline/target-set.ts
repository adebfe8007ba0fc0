import type { Logger } from "../../protocol/index.js";
import type { ConnectorExit } from "../process/connector-process.js";
import { waitForExit } from "../process/wait-for-exit.js";
import { startTarget } from "../airbyte/start-target.js";
import type { StateLedger, TargetReports, TargetSink } from "../ports.js";
import { TargetChannel } from "./target-channel.js";
import type { ConnectorDefinition, PipelineDefinition } from "../definition.js";

/** Told when a target exits, however it ends. */
export interface TargetExits {
  targetExited(channel: TargetChannel, exit: ConnectorExit): void;
}

/**
 * A pipeline's targets, as one: started the same way for a sync and a
 * replay (config in a private file, dead letters asked for), fed the same
 * lines, flushed with the slowest one's backpressure, and ended with a
 * grace period each. The data path's TargetSink: a STATE is numbered by
 * the ledger as it goes out; what the targets say comes back through
 * `reports`.
 */
export class TargetSet implements TargetSink {
  private started: readonly TargetChannel[] = [];

  constructor(
    private readonly targets: readonly ConnectorDefinition[],
    private readonly ledger: StateLedger,
    private readonly reports: TargetReports,
    private readonly logger: Logger,
  ) {}

  /** Starts every target of `pipeline`, its config in `workDir`. */
  start(workDir: string, pipeline: Pick<PipelineDefinition, "name" | "projectDir">): void {
    this.started = this.targets.map(
      (target, index) => new TargetChannel(index, startTarget(target, workDir, pipeline, this.logger), this.reports, this.logger),
    );
  }

  /** The targets started (none before start). */
  get channels(): readonly TargetChannel[] {
    return this.started;
  }

  /** The name of target `index`, for messages. */
  nameOf(index: number): string {
    return this.targets[index]?.name ?? "a target";
  }

  /** Tells `run` when each target exits, however it ends. */
  watchExits(run: TargetExits): void {
    for (const channel of this.started) void channel.process.exited.then((exit) => run.targetExited(channel, exit));
  }

  send(line: string, to: readonly number[] | undefined): void {
    if (to === undefined) for (const channel of this.started) channel.queue(line);
    else for (const index of to) this.started[index]?.queue(line);
  }

  sendLineBytes(bytes: Buffer, to: readonly number[] | undefined): void {
    if (to === undefined) for (const channel of this.started) channel.queueLineBytes(bytes);
    else for (const index of to) this.started[index]?.queueLineBytes(bytes);
  }

  sendState(value: unknown, line: string, delivered: Readonly<Record<string, number>>, sentTo: readonly number[]): void {
    this.ledger.forward(value, delivered, sentTo);
    this.send(line, undefined);
  }

  /** Writes what is queued; a promise when some target's pipe is full, settled once all have drained (or exited). */
  flush(): Promise<void> | undefined {
    const waits: Array<Promise<void>> = [];
    for (const channel of this.started) {
      const wait = channel.flush();
      if (wait !== undefined) waits.push(wait);
    }
    return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
  }

  kill(signal: NodeJS.Signals): void {
    for (const channel of this.started) channel.process.kill(signal);
  }

  /** Closes every target's input (no more messages) and waits for each to exit, killing one that takes longer than `graceMs`. */
  async end(graceMs: number): Promise<ConnectorExit[]> {
    await Promise.all(this.started.map((channel) => channel.end()));
    return Promise.all(this.started.map((channel) => waitForExit(channel.process, graceMs)));
  }
}
