import { asAgoraError, MessageParser, type MessageLine, type RecordForwarding } from "../../protocol/index.js";
import type { Connector } from "../process/connector-process.js";
import type { Activity } from "./activity.js";
import type { DataPath } from "./data-path.js";
import type { RunControl } from "../ports.js";
import type { RunCounts } from "./run-counts.js";
import type { RunEvents } from "./run-events.js";
import type { TargetSet } from "./target-set.js";

/** How long a connector gets to exit once its input or output ended (or it was told to stop), at least. */
export const GRACE_MS = 10_000;

/** How the tap's output is read: the longest line taken, and which streams' records go on unparsed. */
export interface TapReading {
  readonly maxLineBytes: number;
  readonly forward?: RecordForwarding | undefined;
}

/** Whether a run is done taking input (it failed, or a data path reached max_records), and how it fails. */
export interface InputGate extends Pick<RunControl, "fail"> {
  readonly closed: boolean;
}

/**
 * The loop a sync and a replay share: messages handed to a data path in
 * order (its window bounds how many are in flight), then what it sent
 * written to the targets, waiting for the slowest one's pipe: the
 * backpressure that keeps a fast tap from filling memory.
 */
export class MessagePump {
  constructor(
    private readonly targets: TargetSet,
    private readonly activity: Activity,
    private readonly gate: InputGate,
  ) {}

  /**
   * The tap's output, a chunk at a time: framed into messages, through the
   * data path, then to the targets. Messages before a bad line are handled
   * first; then the bad line fails the run. Once the gate closes the rest
   * of the output is read and dropped, so the tap is never blocked on it.
   */
  async fromTap(tap: Connector, path: DataPath, reading: TapReading, events: RunEvents, counts: RunCounts): Promise<void> {
    const parser = new MessageParser({
      origin: { connector: tap.name },
      maxLineBytes: reading.maxLineBytes,
      limitSetting: "max_line_bytes in pipelines.toml",
      forward: reading.forward,
    });
    for await (const chunk of tap.stdout) {
      this.activity.touch();
      if (this.gate.closed) continue;
      if (!(await this.parsed(path, parser, () => parser.push(chunk as Buffer)))) continue;
      await this.flush();
      events.emit("progress", counts.read.byStream, counts.read.total);
    }
    if (!this.gate.closed) await this.parsed(path, parser, () => parser.end());
    await path.flush();
    await this.flush();
  }

  /** Feeds what `parse` frames; false when a line was bad (the run failed). */
  private async parsed(path: DataPath, parser: MessageParser, parse: () => readonly MessageLine[]): Promise<boolean> {
    try {
      await this.feed(path, parse());
      parser.throwIfFailed();
      return true;
    } catch (error) {
      this.gate.fail(asAgoraError(error));
      return false;
    }
  }

  /** Hands `lines` to `path`, in order, until the gate closes. */
  async feed(path: DataPath, lines: readonly MessageLine[]): Promise<void> {
    for (const item of lines) {
      if (this.gate.closed) return;
      const wait = path.handle(item);
      if (wait !== undefined) await wait;
    }
  }

  /** Writes what is queued to the targets; while a pipe is full, the run waits for the targets. */
  async flush(): Promise<void> {
    const wait = this.targets.flush();
    if (wait === undefined) return;
    this.activity.enter({ kind: "writing_targets" });
    await wait;
    this.activity.enter({ kind: "reading_tap" });
  }
}
