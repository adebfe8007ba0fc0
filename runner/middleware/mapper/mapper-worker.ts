import { DataError, FatalError, LineSplitter, parseMessageLine, serializeMessage, type Logger, type SchemaMessage } from "../../../protocol/index.js";
import { ConnectorProcess, type ConnectorLaunch } from "../../process/connector-process.js";
import type { RecordValue } from "../types.js";

/** The key of the marker STATE that follows each record sent to a mapper. */
export const MAPPER_MARKER = "__agora_mapper_seq";

interface Pending {
  readonly sequence: number;
  readonly sentAt: number;
  readonly outputs: Array<{ stream: string; record: RecordValue }>;
  readonly schemas: SchemaMessage[];
  resolve(result: { records: Array<{ stream: string; record: RecordValue }>; schemas: SchemaMessage[] }): void;
  reject(error: Error): void;
}

/**
 * One mapper process. Requests are pipelined: each is a record (or a
 * SCHEMA) followed by a marker STATE; the mapper passes STATE through in
 * order, so what it writes before the marker is that request's output.
 */
export class MapperWorker {
  private readonly process: ConnectorProcess;
  private readonly pending: Pending[] = [];
  private readonly schemasSent = new Map<string, string>();
  private nextSequence = 1;
  private dead = false;

  constructor(launch: ConnectorLaunch, logger: Logger) {
    this.process = new ConnectorProcess(launch, (line) => process.stderr.write(`${line}\n`));
    const splitter = new LineSplitter((text, line) => {
      let parsed;
      try {
        parsed = parseMessageLine(text, line);
      } catch (error) {
        this.failAll(error as Error);
        return;
      }
      const head = this.pending[0];
      if (!parsed.known || head === undefined) return;
      const message = parsed.message;
      if (message.type === "RECORD") head.outputs.push({ stream: message.stream, record: message.record });
      else if (message.type === "SCHEMA") head.schemas.push(message);
      else if (message.type === "STATE") {
        const marker = (message.value as Record<string, unknown> | null)?.[MAPPER_MARKER];
        if (marker === undefined) return;
        if (marker !== head.sequence) {
          this.failAll(new FatalError("MAPPER_OUT_OF_ORDER", `mapper ${launch.name} answered request ${String(marker)} while ${head.sequence} was due`));
          return;
        }
        this.pending.shift();
        head.resolve({ records: head.outputs, schemas: head.schemas });
      } else if (message.type === "DEAD_LETTER") {
        this.pending.shift();
        head.reject(new DataError(message.error.code, message.error.message));
      }
    });
    this.process.stdout.on("data", (chunk: Buffer) => splitter.push(chunk));
    void this.process.exited.then((exit) => {
      this.dead = true;
      const problem = this.process.describeFailure(exit, "while mapping records") ?? new FatalError("MAPPER_EXITED", `mapper ${launch.name} exited before answering`);
      this.failAll(problem);
    });
    void logger;
  }

  get inFlight(): number {
    return this.pending.length;
  }

  get isDead(): boolean {
    return this.dead;
  }

  /** How long the oldest request has waited, in ms. */
  oldestWait(now: number): number {
    const head = this.pending[0];
    return head === undefined ? 0 : now - head.sentAt;
  }

  /** Sends a SCHEMA (when new or changed for this worker) and a record; resolves with what the mapper made of it. */
  map(schema: SchemaMessage, record: RecordValue): Promise<{ records: Array<{ stream: string; record: RecordValue }>; schemas: SchemaMessage[] }> {
    const schemaText = serializeMessage(schema);
    const lines = this.schemasSent.get(schema.stream) === schemaText ? [] : [schemaText];
    this.schemasSent.set(schema.stream, schemaText);
    lines.push(serializeMessage({ type: "RECORD", stream: schema.stream, record }));
    return this.request(lines);
  }

  /** Sends only a SCHEMA; resolves with the SCHEMA(s) the mapper wrote for it. */
  probeSchema(schema: SchemaMessage): Promise<{ records: Array<{ stream: string; record: RecordValue }>; schemas: SchemaMessage[] }> {
    const schemaText = serializeMessage(schema);
    this.schemasSent.set(schema.stream, schemaText);
    return this.request([schemaText]);
  }

  private request(lines: string[]): Promise<{ records: Array<{ stream: string; record: RecordValue }>; schemas: SchemaMessage[] }> {
    if (this.dead) return Promise.reject(new FatalError("MAPPER_EXITED", `mapper ${this.process.name} is not running`));
    const sequence = this.nextSequence;
    this.nextSequence += 1;
    return new Promise((resolve, reject) => {
      this.pending.push({ sequence, sentAt: Date.now(), outputs: [], schemas: [], resolve, reject });
      lines.push(serializeMessage({ type: "STATE", value: { [MAPPER_MARKER]: sequence } }));
      this.process.stdin.write(lines.join(""));
    });
  }

  /** Fails every waiting request, e.g. after a timeout, before the worker is replaced. */
  failAll(error: Error): void {
    for (const pending of this.pending.splice(0)) pending.reject(error);
  }

  kill(): void {
    this.dead = true;
    this.process.kill("SIGKILL");
  }

  async close(): Promise<void> {
    this.process.endInput();
    const timer = setTimeout(() => this.process.kill("SIGKILL"), 5000);
    await this.process.exited;
    clearTimeout(timer);
  }
}
