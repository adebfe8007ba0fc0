import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { asAgoraError, FatalError, LineSplitter, parseJson, stringifyJson, type AgoraError } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";
import { ConnectorProcess, type Connector, type ConnectorExit, type ConnectorLaunch } from "../process/connector-process.js";
import { airbyteArgs } from "./airbyte-commands.js";
import { isObject } from "./airbyte-message.js";
import type { DestinationTranslator } from "./destination-translator.js";
import type { SourceStream } from "./airbyte-catalog.js";

/**
 * An Airbyte destination presented to the run as a Singer target. Its
 * `write` needs the configured catalog when it starts, and the streams are
 * known only as their SCHEMAs arrive (after the run's middleware), so it
 * is started at the first message after the SCHEMAs, configured with every
 * stream seen; a SCHEMA for a new stream (or a changed one) later ends that
 * `write` in order (it commits and echoes what it had) and starts another
 * with the grown catalog. Each `write` is a ConnectorProcess; this object
 * is the one target the run sees.
 */
export class AirbyteDestination implements Connector {
  readonly name: string;
  readonly role = "target" as const;
  readonly stdin: Writable;
  readonly stdout = new PassThrough();
  readonly exited: Promise<ConnectorExit>;
  private session: ConnectorProcess | undefined;
  private sessions = 0;
  private restartNeeded = false;
  private ended: ConnectorExit | undefined;
  private settle!: (exit: ConnectorExit) => void;
  private stoppedFor: AgoraError | undefined;
  private readonly splitter: LineSplitter;
  private readonly pending: string[] = [];

  constructor(
    private readonly launch: Omit<ConnectorLaunch, "role"> & { readonly args: readonly string[] },
    private readonly configArgs: readonly string[],
    private readonly workDir: string,
    private readonly translator: DestinationTranslator,
    private readonly forwardStderr?: (line: string) => void,
  ) {
    this.name = launch.name;
    this.exited = new Promise((resolve) => {
      this.settle = (exit) => {
        if (this.ended !== undefined) return;
        this.ended = exit;
        this.stdout.end();
        resolve(exit);
      };
    });
    this.splitter = new LineSplitter((text) => this.pending.push(text));
    this.stdin = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.splitter.push(chunk);
        this.drainPending().then(
          () => done(),
          (error: unknown) => done(asAgoraError(error)),
        );
      },
      final: (done) => {
        this.splitter.end();
        this.drainPending()
          .then(() => this.finish())
          .then(
            () => done(),
            (error: unknown) => done(asAgoraError(error)),
          );
      },
    });
    // A destination that ended makes writes fail; that is reported through `exited`.
    this.stdin.on("error", () => undefined);
  }

  /** The run's tap is an Airbyte source: its streams keep their namespace and whole key here (see DestinationTranslator). */
  useSourceStreams(streams: readonly SourceStream[]): void {
    this.translator.useSourceStreams(streams);
  }

  get pid(): number | undefined {
    return this.session?.pid;
  }

  get hasExited(): boolean {
    return this.ended !== undefined;
  }

  kill(signal: NodeJS.Signals = "SIGTERM"): void {
    if (this.ended !== undefined) return;
    if (this.session === undefined) this.settle({ code: undefined, signal, spawnError: undefined });
    else this.session.kill(signal);
  }

  stopFor(error: AgoraError): void {
    this.stoppedFor ??= error.withLocation({ connector: this.name });
    this.kill("SIGKILL");
  }

  endInput(): void {
    if (!this.stdin.writableEnded && !this.stdin.destroyed) this.stdin.end();
  }

  describeFailure(exit: ConnectorExit, doing: string): AgoraError | undefined {
    if (this.stoppedFor !== undefined) return this.stoppedFor;
    const reported = this.translator.error;
    if (reported !== undefined) return reported;
    return this.session?.describeFailure(exit, doing);
  }

  stderrSummary(): string | undefined {
    return this.session?.stderrSummary();
  }

  releaseHeldErrors(): void {
    this.session?.releaseHeldErrors();
  }

  /** Hands each line received to the destination, in order, waiting on its pipe. */
  private async drainPending(): Promise<void> {
    while (this.pending.length > 0 && this.ended === undefined) {
      const text = this.pending.shift() as string;
      const out = this.translate(text);
      if (out === undefined) continue;
      const session = await this.ensureSession();
      if (session === undefined) return;
      if (!session.stdin.write(out)) await drained(session);
    }
  }

  /** The Airbyte line for one Singer line, or undefined for none (a SCHEMA, which only configures). */
  private translate(text: string): string | undefined {
    const message = parseJson(text);
    if (!isObject(message)) return undefined;
    switch (message["type"]) {
      case "SCHEMA": {
        const changed = this.translator.schema(
          String(message["stream"]),
          message["schema"] as Record<string, unknown>,
          (message["key_properties"] as string[]) ?? [],
        );
        if (changed && this.session !== undefined) this.restartNeeded = true;
        return undefined;
      }
      case "RECORD": {
        const extracted = typeof message["time_extracted"] === "string" ? Date.parse(message["time_extracted"]) : Number.NaN;
        return this.translator.record(String(message["stream"]), message["record"], Number.isNaN(extracted) ? Date.now() : extracted);
      }
      case "STATE":
        return this.translator.state(message["value"]);
      default:
        return undefined;
    }
  }

  /** The running `write`, started (or restarted for new streams) when needed; undefined once this target has ended. */
  private async ensureSession(): Promise<ConnectorProcess | undefined> {
    if (this.session !== undefined && this.restartNeeded) {
      this.restartNeeded = false;
      const exit = await this.endSession(this.session);
      if (exit.code !== 0 || exit.signal !== undefined) {
        this.settle(exit);
        return undefined;
      }
    }
    if (this.session === undefined || this.session.hasExited) {
      if (this.session?.hasExited === true) return undefined;
      this.session = this.startSession();
    }
    return this.session;
  }

  private startSession(): ConnectorProcess {
    this.sessions += 1;
    const catalogFile = join(this.workDir, `${this.name.replace(/[^\w.-]/g, "_")}.configured_catalog.${this.sessions}.json`);
    writeFileSync(catalogFile, stringifyJson(this.translator.configuredCatalog()), { mode: 0o600 });
    const session = new ConnectorProcess(
      { ...this.launch, role: "target", args: [...airbyteArgs(this.launch, "write", this.configArgs), "--catalog", catalogFile] },
      this.forwardStderr,
    );
    const splitter = new LineSplitter(
      (text, line) => {
        for (const out of this.translator.translate(text, line)) if (!this.stdout.writableEnded) this.stdout.write(out);
      },
      { maxLineBytes: 64 * 1024 * 1024 },
    );
    session.stdout.on("data", (chunk: Buffer) => {
      try {
        splitter.push(chunk);
      } catch (error) {
        this.stopFor(
          new FatalError(RunnerCodes.AIRBYTE_PROTOCOL, "the destination wrote a line longer than 64 MiB on its stdout", {
            hint: "A destination writes AirbyteMessages on stdout, one a line.",
            cause: error,
          }),
        );
      }
    });
    session.stdout.on("end", () => splitter.end());
    // A `write` that ends while more input may come (not a restart): the target has ended.
    void sessionDone(session).then((exit) => {
      if (this.session === session && !this.restarting) this.settle(exit);
    });
    return session;
  }

  private restarting = false;

  /** Ends one `write` in order: its input closed, its echoes read, its exit awaited. */
  private async endSession(session: ConnectorProcess): Promise<ConnectorExit> {
    this.restarting = true;
    session.endInput();
    const exit = await sessionDone(session);
    this.restarting = false;
    this.session = undefined;
    return exit;
  }

  /** No more input: the last `write` finishes (none was started for a run without data). */
  private async finish(): Promise<void> {
    const session = this.session;
    if (session === undefined) {
      this.settle({ code: 0, signal: undefined, spawnError: undefined });
      return;
    }
    session.endInput();
    this.settle(await sessionDone(session));
  }
}

/** How a `write` ended, once its stdout was read to the end too (its last echoes translated). */
async function sessionDone(session: ConnectorProcess): Promise<ConnectorExit> {
  const exit = await session.exited;
  if (!session.stdout.readableEnded) await new Promise<void>((resolve) => session.stdout.once("end", () => resolve()).once("close", () => resolve()));
  return exit;
}

/** Resolves when the session's stdin drains, or it exits. */
function drained(session: ConnectorProcess): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      session.stdin.off("drain", done);
      resolve();
    };
    session.stdin.on("drain", done);
    void session.exited.then(done);
  });
}
