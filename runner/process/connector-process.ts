import type { Readable, Writable } from "node:stream";
import { ConfigError, FatalError, LineSplitter, UsageError, type AgoraError } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";
import { spawnCommand, type RunningCommand } from "./spawn-command.js";

export type ConnectorRole = "tap" | "target" | "mapper";

/** How to start a connector. */
export interface ConnectorLaunch {
  /** The name used in logs and errors (the pipeline's name for it). */
  readonly name: string;
  readonly role: ConnectorRole;
  /** The command line, e.g. `tap-csv` or `python3 tap.py --verbose`. */
  readonly command: string;
  /** Arguments the runner adds (--config, --state, --catalog). */
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

/** How a connector ended. */
export interface ConnectorExit {
  readonly code: number | undefined;
  readonly signal: string | undefined;
  /** Why it could not start, if it did not. */
  readonly spawnError: string | undefined;
}

/**
 * A connector as a run uses it: Singer messages in on stdin, Singer out on
 * stdout, an exit to wait for. A ConnectorProcess is one process speaking
 * Singer; an Airbyte source or destination (runner/airbyte/) is a process
 * speaking Airbyte behind a translation, presented the same way.
 */
export interface Connector {
  readonly name: string;
  readonly role: ConnectorRole;
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly exited: Promise<ConnectorExit>;
  readonly pid: number | undefined;
  readonly hasExited: boolean;
  kill(signal?: NodeJS.Signals): void;
  /** Stops the connector for what it did; that error is then its failure. */
  stopFor(error: AgoraError): void;
  /** Closes its input: for a target, "no more messages". */
  endInput(): void;
  /** How it ended badly (undefined when it finished well); `doing` says when ("while receiving data"). */
  describeFailure(exit: ConnectorExit, doing: string): AgoraError | undefined;
  stderrSummary(): string | undefined;
  /** Says the error lines no failure of the run reported. */
  releaseHeldErrors(): void;
}

/** A stderr line that reads like an error report. */
const ERROR_LINE = /error|fail|fatal|exception|traceback/i;
/** The line our SDK's connectors end with when they fail: "tap-x error: …". */
const FINAL_ERROR_LINE = /^[\w.@/-]+ error: /;
/** An error line's closing code, " [CONFIG_INVALID]": the run's failure has its own. */
const TRAILING_CODE = /\s*\[([A-Z0-9_]+)\]$/;

/** Longest stderr line kept; the rest of a longer one is dropped. */
const STDERR_LINE_BYTES = 1 << 20;

/** The last lines of a connector's stderr kept for error messages. */
const STDERR_LINES_KEPT = 5;

/**
 * A running connector: its pipes, its stderr forwarded line by line with its
 * name in front, and a promise of how it ended. Never rejects: every way of
 * ending (exit code, signal, failure to start) is reported as a ConnectorExit.
 */
export class ConnectorProcess implements Connector {
  readonly name: string;
  readonly role: ConnectorRole;
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly exited: Promise<ConnectorExit>;
  private readonly subprocess: RunningCommand<"pipe">;
  private readonly recentStderr: string[] = [];
  /** Its first stderr line: often what went wrong (`unrecognized option '--state'`) before a generic last one. */
  private firstStderrLine: string | undefined;
  private ended: ConnectorExit | undefined;
  private readonly forwardStderr: (line: string) => void;
  /** Its error lines (the SDK's "name error: …"), kept until a failure reports them or releaseHeldErrors says them. */
  private heldErrors: string[] = [];

  /** `forwardStderr` receives each stderr line with the connector's name in front; by default it goes to our stderr. */
  constructor(launch: ConnectorLaunch, forwardStderr: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {
    this.name = launch.name;
    this.role = launch.role;
    this.subprocess = spawnCommand(launch.command, launch.args, { cwd: launch.cwd, env: launch.env, stdin: "pipe", ownProcessGroup: true });
    this.stdin = this.subprocess.stdin;
    this.stdout = this.subprocess.stdout;
    // A connector that exits early makes writes to its stdin fail; that is reported through `exited`.
    this.stdin.on("error", () => undefined);
    this.forwardStderr = forwardStderr;
    const splitter = new LineSplitter(
      (line) => {
        this.firstStderrLine ??= line;
        this.recentStderr.push(line);
        if (this.recentStderr.length > STDERR_LINES_KEPT) this.recentStderr.shift();
        // A connector's own last word ("tap-x error: …") is said once: in the run's failure, or at the end if none uses it.
        if (FINAL_ERROR_LINE.test(line)) this.heldErrors.push(line);
        else forwardStderr(`${this.name} | ${line}`);
        // stderr is for people: a line past 1 MiB is cut (the rest dropped as it comes), so no connector can fill the runner's memory.
      },
      { maxLineBytes: STDERR_LINE_BYTES, cutLongLines: true },
    );
    this.subprocess.stderr.on("data", (chunk: Buffer) => splitter.push(chunk));
    this.subprocess.stderr.on("end", () => splitter.end());
    this.exited = this.subprocess.ended.then((result) => {
      this.ended = { code: result.exitCode, signal: result.signal, spawnError: result.spawnError };
      return this.ended;
    });
  }

  get pid(): number | undefined {
    return this.subprocess.pid;
  }

  get hasExited(): boolean {
    return this.ended !== undefined;
  }

  /**
   * What the connector said, for an error: its last line that reads like an
   * error, or when none does, its first line and its last (`cat: unrecognized
   * option '--state' … Try 'cat --help' for more information.`).
   */
  stderrSummary(): string | undefined {
    const errorLine = this.recentStderr.findLast((line) => ERROR_LINE.test(line));
    if (errorLine !== undefined) return errorLine;
    const first = this.firstStderrLine;
    const last = this.recentStderr.at(-1);
    return first === undefined || first === last ? last : `${first} … ${last ?? ""}`;
  }

  /** Says the error lines no failure reported (the connector exited 0 after one, or the run failed for another reason). */
  releaseHeldErrors(): void {
    for (const line of this.heldErrors) this.forwardStderr(`${this.name} | ${line}`);
    this.heldErrors = [];
  }

  /** Why the runner stopped it (a stdout line it could not take), reported as its failure. */
  private stoppedFor: AgoraError | undefined;

  /** Stops the connector for what it did (`error`), which is then the failure its exit reports. */
  stopFor(error: AgoraError): void {
    this.stoppedFor ??= error.withLocation({ connector: this.name });
    this.kill("SIGKILL");
  }

  kill(signal: NodeJS.Signals = "SIGTERM"): void {
    if (!this.hasExited) this.subprocess.kill(signal);
  }

  /** Closes the connector's stdin: for a target, "no more messages". */
  endInput(): void {
    if (!this.stdin.writableEnded && !this.stdin.destroyed) this.stdin.end();
  }

  /**
   * An error describing how the connector ended badly, or undefined if it
   * exited 0. Its class says what to do: a connector that cannot start, or
   * exits 2 (the command line is wrong) or 3 (its config is missing or
   * invalid, the Singer SDKs' convention and ours), needs a fix of the
   * configuration; any other failure may pass on a later run.
   */
  describeFailure(exit: ConnectorExit, doing: string): AgoraError | undefined {
    if (this.stoppedFor !== undefined) return this.stoppedFor;
    const where = { connector: this.name };
    const said = this.stderrSummary();
    // Said in the failure, not also on its own. Its closing code is kept as its own, in parentheses: the failure's code closes the line.
    if (exit.code !== 0 || exit.signal !== undefined) this.heldErrors = [];
    const tail = said === undefined ? "" : `; it said: ${said.replace(TRAILING_CODE, " ($1)")}`;
    if (exit.spawnError !== undefined) {
      return new ConfigError(RunnerCodes.CONNECTOR_NOT_FOUND, `could not start the ${this.role} (${exit.spawnError})`, {
        where,
        hint: "Check its command in pipelines.toml (or --tap/--target): is it installed and on PATH?",
      });
    }
    if (exit.signal !== undefined) {
      return new FatalError(RunnerCodes.CONNECTOR_KILLED, `the ${this.role} was killed by ${exit.signal} ${doing}${tail}`, {
        where,
        hint: "Confirmed records are safe; run the pipeline again to resume from the last checkpoint.",
      });
    }
    if (exit.code === 2 || exit.code === 3) {
      const Kind = exit.code === 2 ? UsageError : ConfigError;
      return new Kind(
        exit.code === 2 ? RunnerCodes.CONNECTOR_USAGE : RunnerCodes.CONNECTOR_CONFIG_INVALID,
        `the ${this.role} exited with code ${exit.code} ${doing}${tail}`,
        {
          where,
          hint:
            exit.code === 2
              ? "Its command line is wrong: check its command and args in pipelines.toml."
              : "Its config (or state) is missing or invalid: fix what it reports, then run again.",
        },
      );
    }
    if (exit.code !== 0) {
      return new FatalError(RunnerCodes.CONNECTOR_FAILED, `the ${this.role} exited with code ${String(exit.code)} ${doing}${tail}`, {
        where,
        hint: "Fix the cause it reports, then run the pipeline again to resume from the last checkpoint.",
      });
    }
    return undefined;
  }
}
