import { tmpdir } from "node:os";
import type { MessageWriter } from "../../framing/message-writer.js";
import type { JsonSchema } from "../../messages/types.js";
import { BatchFiles } from "./batch-output.js";
import type { BatchConfig } from "./batch-config.js";
import type { TapRecord } from "./types.js";

/** What a stream's output asks of the stream's sync: the bookmark of the row written last, and a STATE. */
export interface StateWriter {
  /** The bookmark of the row written last, asked for now (a RowBatch computes it only when needed). */
  settleRowBookmark(): void;
  /** Writes a STATE with every bookmark so far. */
  writeState(): Promise<void> | undefined;
}

/**
 * Where a stream's records go, and when a STATE follows them: RECORD lines,
 * a STATE every N records (RecordLines), or batch files, each announced by
 * a BATCH and followed by its STATE (BatchFileOutput). One record costs one
 * call here and one in afterRecord; a promise only when the output is full.
 */
export interface StreamOutput {
  /** Arrow batch files take records (or rows), not JSON text: nothing is serialized for them. */
  readonly takesRecords: boolean;
  /** One record's JSON text. */
  writeJson(json: string): Promise<void> | undefined;
  /** One record, for an output that takesRecords. */
  addRecord(record: TapRecord): Promise<void> | undefined;
  /** One row's values by column, for an output that takesRecords. */
  addRow(columns: readonly string[], row: ReadonlyArray<unknown>): Promise<void> | undefined;
  /** After each record (`wait`: its write): a STATE when one is due. */
  afterRecord(wait: Promise<void> | undefined): Promise<void> | undefined;
  /** The stream ended (`completed`) or stopped: what is still open is closed and announced. */
  finish(completed: boolean): Promise<void>;
}

/** The time a RECORD line says it was extracted, as the suffix after its record. */
function timeExtractedSuffix(): string {
  return `,"time_extracted":"${new Date().toISOString()}"}\n`;
}

/**
 * RECORD lines, built from a prefix and a suffix computed once (the suffix
 * again after each STATE, for its time), so each record costs one string
 * join; a STATE every `stateEvery` records of a stream that resumes.
 */
export class RecordLines implements StreamOutput {
  readonly takesRecords = false;
  private readonly prefix: string;
  private suffix = timeExtractedSuffix();
  private sinceState = 0;

  constructor(
    private readonly output: MessageWriter,
    stream: string,
    private readonly stateEvery: number,
    private readonly resumes: boolean,
    private readonly states: StateWriter,
  ) {
    this.prefix = `{"type":"RECORD","stream":${JSON.stringify(stream)},"record":`;
  }

  writeJson(json: string): Promise<void> | undefined {
    return this.output.writeLine(`${this.prefix}${json}${this.suffix}`);
  }

  addRecord(): undefined {
    throw new Error("RecordLines takes JSON text");
  }

  addRow(): undefined {
    throw new Error("RecordLines takes JSON text");
  }

  afterRecord(wait: Promise<void> | undefined): Promise<void> | undefined {
    this.sinceState += 1;
    if (!this.resumes || this.sinceState < this.stateEvery) return wait;
    this.sinceState = 0;
    this.states.settleRowBookmark();
    const written = this.states.writeState() ?? wait;
    this.suffix = timeExtractedSuffix();
    return written;
  }

  async finish(): Promise<void> {}
}

/** Batch files (jsonl, or Arrow), each announced by a BATCH once full, then the STATE that covers it. */
export class BatchFileOutput implements StreamOutput {
  readonly files: BatchFiles;
  readonly takesRecords: boolean;

  constructor(
    private readonly output: MessageWriter,
    stream: string,
    config: BatchConfig,
    schema: JsonSchema,
    private readonly resumes: boolean,
    private readonly states: StateWriter,
  ) {
    this.files = new BatchFiles(stream, config, schema, tmpdir());
    this.takesRecords = this.files.takesRecords;
  }

  writeJson(json: string): Promise<void> | undefined {
    return this.files.addJson(json);
  }

  addRecord(record: TapRecord): Promise<void> | undefined {
    return this.files.addRecord(record);
  }

  addRow(columns: readonly string[], row: ReadonlyArray<unknown>): Promise<void> | undefined {
    return this.files.addRow(columns, row);
  }

  afterRecord(wait: Promise<void> | undefined): Promise<void> | undefined {
    if (this.files.pending < this.files.rowsPerFile) return wait;
    // A full batch file: announced, then the STATE that covers it.
    this.states.settleRowBookmark();
    return (async () => {
      await wait;
      await this.announce();
      if (this.resumes) await this.states.writeState();
    })();
  }

  /** Closes the batch file being written and announces it; the STATE after it (if any) is the caller's. */
  async announce(): Promise<void> {
    const message = await this.files.finish();
    if (message !== undefined) await this.output.write(message);
  }

  /** The records of the last batch file are announced before the STATE that covers them, also after a failure. */
  async finish(completed: boolean): Promise<void> {
    if (completed) await this.announce();
    else await this.announce().catch(() => undefined);
  }
}
