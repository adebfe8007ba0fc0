import { ProtocolCodes } from "./messages/codes.js";
/**
 * The error tree every part of Agora throws from.
 *
 * One root class with a stable `code`, a message that says what happened, a
 * `where` that says where (connector, stream, file, line) and a `hint` that
 * says what to do. Branches are grouped by what the caller does about them:
 * fix the command line, fix the config, fix the peer's output, skip the
 * record, retry, or stop.
 */

/** Where an error happened, as far as the thrower knows. */
export interface ErrorLocation {
  readonly pipeline?: string;
  readonly connector?: string;
  readonly stream?: string;
  readonly file?: string;
  readonly line?: number;
  readonly setting?: string;
  readonly field?: string;
}

export interface AgoraErrorOptions {
  /** What the user should do about it, as one short sentence. */
  readonly hint?: string;
  readonly where?: ErrorLocation;
  readonly cause?: unknown;
}

/**
 * What a caller does about an error, as data: fix the command line or the
 * config (retrying will not help), fix a peer's output, skip the record,
 * retry later, or stop. Decisions read this, or the code; never the text.
 */
export type ErrorKind = "usage" | "config" | "protocol" | "data" | "transient" | "fatal";

export class AgoraError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly where: ErrorLocation;

  constructor(code: string, message: string, options: AgoraErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.where = options.where ?? {};
  }

  /** The branch of the tree each class is on; a subclass names its own. */
  static readonly kind: ErrorKind = "fatal";

  /** The branch of the tree this error is on. */
  get kind(): ErrorKind {
    return (this.constructor as typeof AgoraError).kind;
  }

  /** True for errors that may go away if the same thing is tried again. */
  get retriable(): boolean {
    return this.kind === "transient";
  }

  /** A copy of this error with some fields replaced; class, code and stack stay. */
  private copyWith(changes: { where?: ErrorLocation; hint?: string | undefined; message?: string }): this {
    const copy = Object.create(Object.getPrototypeOf(this) as object) as this;
    Object.assign(copy, this, changes);
    copy.stack = this.stack ?? "";
    copy.message = changes.message ?? this.message;
    return copy;
  }

  /** A copy of this error that also knows the given location (its own fields win). */
  withLocation(where: ErrorLocation): this {
    return this.copyWith({ where: { ...where, ...this.where } });
  }

  /** A copy of this error with `rewrite` applied to its message and hint (to name a file the user knows instead of a temporary one). */
  withText(rewrite: (text: string) => string): this {
    return this.copyWith({ message: rewrite(this.message), hint: this.hint === undefined ? undefined : rewrite(this.hint) });
  }

  /** A copy of this error whose hint is `hint` (what to do, as the caller knows better). */
  withHint(hint: string): this {
    return this.copyWith({ hint });
  }

  /** The one line a user sees: what, where, and (unless told not to) what to do. */
  toUserLine(options: { withHint?: boolean } = {}): string {
    const where = formatLocation(this.where);
    const hint = this.hint === undefined || options.withHint === false ? "" : ` ${this.hint}`;
    // Two sentences, not one run-on: "the file does not exist. Check the path."
    const message = hint === "" || /[.?!:]$/.test(this.message) ? this.message : `${this.message}.`;
    // One line, whatever the message holds (a parser's error may carry a newline).
    return `${where === "" ? "" : `${where}: `}${message}${hint} [${this.code}]`.replace(/\s*[\r\n]+\s*/g, " ");
  }
}

/** The command line is wrong: unknown flag, missing argument, conflicting modes. */
export class UsageError extends AgoraError {
  static override readonly kind: ErrorKind = "usage";
}

/** The configuration (a config, catalog or state file) is missing or invalid. */
export class ConfigError extends AgoraError {
  static override readonly kind: ErrorKind = "config";
}

/** A peer broke the protocol: malformed JSON, a RECORD before its SCHEMA, a missing field. */
export class ProtocolError extends AgoraError {
  static override readonly kind: ErrorKind = "protocol";
}

/** One record is bad. Skippable: a runner may dead-letter it and go on. */
export class DataError extends AgoraError {
  static override readonly kind: ErrorKind = "data";
}

/** Something that may succeed if tried again: a timeout, a 503, a reset connection. */
export class TransientError extends AgoraError {
  static override readonly kind: ErrorKind = "transient";
}

/** Anything else that must stop the run: an unwritable file, a full disk, a crashed peer. */
export class FatalError extends AgoraError {}

export function formatLocation(where: ErrorLocation): string {
  const parts: string[] = [];
  if (where.pipeline !== undefined) parts.push(`pipeline ${where.pipeline}`);
  if (where.connector !== undefined) parts.push(where.connector);
  if (where.stream !== undefined) parts.push(`stream ${where.stream}`);
  if (where.file !== undefined) parts.push(where.file);
  if (where.line !== undefined) parts.push(`line ${where.line}`);
  if (where.setting !== undefined) parts.push(`setting ${where.setting}`);
  if (where.field !== undefined) parts.push(`field ${where.field}`);
  return parts.join(", ");
}

/** Any thrown value as an AgoraError, keeping the original as `cause`. */
export function asAgoraError(error: unknown): AgoraError {
  if (error instanceof AgoraError) return error;
  const nodeError = error as NodeJS.ErrnoException | undefined;
  if (nodeError?.code === "ENOSPC") {
    return new FatalError(ProtocolCodes.DISK_FULL, "the disk is full", {
      hint: "Free some space and run again; nothing after the last confirmed STATE was lost.",
      cause: error,
    });
  }
  if (nodeError?.code === "EMFILE" || nodeError?.code === "ENFILE") {
    // The machine's limit, not our bug: a retry once other processes let go of some may pass.
    return new TransientError(
      ProtocolCodes.OUT_OF_FILE_DESCRIPTORS,
      `too many open files (${nodeError.code}${nodeError.syscall === undefined ? "" : `, in ${nodeError.syscall}`})`,
      {
        hint: "Raise the limit of open files (ulimit -n, or LimitNOFILE for a service), or run fewer pipelines at once ([worker] concurrency); nothing after the last confirmed STATE was lost.",
        cause: error,
      },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new FatalError(ProtocolCodes.UNEXPECTED, message, {
    hint: "This looks like a bug; run again with --debug and report the stack trace.",
    cause: error,
  });
}
