import type { IncomingMessage, ServerResponse } from "node:http";
import type { RunEvents } from "../pipeline/run-events.js";
import type { RunPhase } from "../pipeline/run-phase.js";
import type { RunStore } from "../state/interfaces.js";
import { SECURITY_HEADERS } from "./http-answer.js";

/** What a page is told as it happens. */
export type LiveEvent =
  | { readonly type: "progress"; readonly pipeline: string; readonly read: Readonly<Record<string, number>>; readonly total: number; readonly at: string }
  | { readonly type: "checkpoint"; readonly pipeline: string; readonly written: Readonly<Record<string, number>>; readonly at: string }
  | { readonly type: "phase"; readonly pipeline: string; readonly phase: string }
  /** The store's run history changed (a run started or ended here or in another process): pages fetch again. */
  | { readonly type: "changed" };

/** Pages following at once; one more is refused (each holds a connection). */
const MAX_FOLLOWERS = 16;
/** A comment line this often keeps idle connections open through proxies, and finds closed ones. */
const HEARTBEAT_MS = 10_000;
/** Progress is sent at most this often per pipeline (the latest counts; a run reports after every chunk). */
const PROGRESS_EVERY_MS = 250;
/** How often the run history is looked at for changes made elsewhere, while anyone follows. */
const WATCH_EVERY_MS = 2_000;

/**
 * The console's server-sent events: the live progress of the runs of this
 * process (a worker's), and a "changed" note when the store's run history
 * moves (runs of other processes too), for every page that follows.
 */
export class LiveFeed {
  private readonly followers = new Set<ServerResponse>();
  private readonly latestProgress = new Map<string, LiveEvent>();
  private readonly timers: NodeJS.Timeout[] = [];
  private lastFingerprint: string | undefined;

  constructor(private readonly runs: RunStore) {
    this.timers.push(setInterval(() => this.broadcast(": heartbeat\n\n"), HEARTBEAT_MS));
    this.timers.push(setInterval(() => this.flushProgress(), PROGRESS_EVERY_MS));
    this.timers.push(setInterval(() => void this.watch(), WATCH_EVERY_MS));
    for (const timer of this.timers) timer.unref();
  }

  /** Makes `response` an event stream until the page goes; false when too many follow already. */
  follow(request: IncomingMessage, response: ServerResponse): boolean {
    if (this.followers.size >= MAX_FOLLOWERS) return false;
    // The stream stays open: the server's idle timeout would cut it (the heartbeat keeps it honest instead).
    request.socket.setTimeout(0);
    response.writeHead(200, { ...SECURITY_HEADERS, "content-type": "text/event-stream; charset=utf-8", connection: "keep-alive" });
    response.write("retry: 3000\n\n");
    this.followers.add(response);
    const forget = (): void => {
      this.followers.delete(response);
    };
    request.once("close", forget);
    response.once("close", forget);
    return true;
  }

  /** Tells followers what `events` (a run of `pipeline` in this process) publishes, until the returned function is called. */
  track(pipeline: string, events: RunEvents): () => void {
    const at = (): string => new Date().toISOString();
    const onProgress = (read: Readonly<Record<string, number>>, total: number): void => {
      this.latestProgress.set(pipeline, { type: "progress", pipeline, read: { ...read }, total, at: at() });
    };
    const onCheckpoint = (_state: unknown, written: Readonly<Record<string, number>>): void =>
      this.publish({ type: "checkpoint", pipeline, written: { ...written }, at: at() });
    const onPhase = (phase: RunPhase): void => this.publish({ type: "phase", pipeline, phase: phase.kind });
    events.on("progress", onProgress);
    events.on("checkpoint", onCheckpoint);
    events.on("phase", onPhase);
    return () => {
      events.off("progress", onProgress);
      events.off("checkpoint", onCheckpoint);
      events.off("phase", onPhase);
      this.flushProgress();
      this.publish({ type: "changed" });
    };
  }

  publish(event: LiveEvent): void {
    this.broadcast(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  }

  close(): void {
    for (const timer of this.timers) clearInterval(timer);
    for (const follower of this.followers) follower.end();
    this.followers.clear();
  }

  private broadcast(text: string): void {
    for (const follower of this.followers) follower.write(text);
  }

  private flushProgress(): void {
    for (const event of this.latestProgress.values()) this.publish(event);
    this.latestProgress.clear();
  }

  /** Runs started, ended or moved on (a checkpoint saves progress) anywhere: a "changed" note. */
  private async watch(): Promise<void> {
    if (this.followers.size === 0) return;
    try {
      const latest = await this.runs.listRuns(undefined, 20);
      const fingerprint = JSON.stringify(latest.map((run) => [run.id, run.status, run.endedAt, run.progress]));
      if (this.lastFingerprint !== undefined && fingerprint !== this.lastFingerprint) this.publish({ type: "changed" });
      this.lastFingerprint = fingerprint;
    } catch {
      // The store is down: the pages' own requests say so; the feed tries again next time.
    }
  }
}
