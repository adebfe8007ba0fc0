import { asAgoraError, DataError, FatalError, LineSplitter, parseMessageLine, serializeMessage, type SchemaMessage } from "../../../protocol/index.js";
import { ConnectorProcess, type ConnectorLaunch } from "../../process/connector-process.js";
import type { RecordValue } from "../types.js";
import { RunnerCodes } from "../../errors.js";

/** The key of the marker STATE that follows each record sent to a mapper. */
export const MAPPER_MARKER = "__agora_mapper_seq";

type MapperOutput = { records: Array<{ stream: string; record: RecordValue }>; schemas: SchemaMessage[] };

/** What was asked of a worker, kept so it can be asked again of another. */
export interface MapperRequest {
  readonly schema: SchemaMessage;
  /** Undefined for a schema probe. */
  readonly record: RecordValue | undefined;
  resolve(result: MapperOutput): void;
  reject(error: Error): void;
}

interface Pending {
  readonly request: MapperRequest;
  readonly sequence: number;
  readonly sentAt: number;
  readonly outputs: Array<{ stream: string; record: RecordValue }>;
  readonly schemas: SchemaMessage[];
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
  private answered = 0;
  private dead = false;

  constructor(launch: ConnectorLaunch) {
    this.process = new ConnectorProcess(launch);
    const splitter = new LineSplitter((text, line) => {
      let parsed;
      try {
        parsed = parseMessageLine(text, line);
      } catch (error) {
        // The mapper's own output line, said as such: its number is no line of the tap's.
        const said = asAgoraError(error);
        this.failAll(
          new FatalError(
            RunnerCodes.MAPPER_OUTPUT_INVALID,
            `mapper ${launch.name} wrote a line that is not a Singer message (its output line ${line}: ${said.message})`,
            { hint: "A mapper writes Singer messages on stdout and logs to stderr.", cause: error },
          ),
        );
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
          this.failAll(
            new FatalError(RunnerCodes.MAPPER_OUT_OF_ORDER, `mapper ${launch.name} answered request ${String(marker)} while ${head.sequence} was due`),
          );
          return;
        }
        this.pending.shift();
        this.answered += 1;
        head.request.resolve({ records: head.outputs, schemas: head.schemas });
      } else if (message.type === "DEAD_LETTER") {
        this.pending.shift();
        this.answered += 1;
        head.request.reject(new DataError(message.error.code, message.error.message));
      }
    });
    this.process.stdout.on("data", (chunk: Buffer) => {
      try {
        splitter.push(chunk);
      } catch (error) {
        // A line past the limit: the mapper is broken for every record it holds.
        this.failAll(error as Error);
        this.process.kill("SIGKILL");
      }
    });
    void this.process.exited.then((exit) => {
      this.dead = true;
      const problem =
        this.process.describeFailure(exit, "while mapping records") ??
        new FatalError(RunnerCodes.MAPPER_EXITED, `mapper ${launch.name} exited before answering`);
      // A worker that never answered is broken (bad command?): fail everything rather than respawn forever.
      if (this.answered === 0) this.failAll(problem);
      else this.onLost?.(this.giveUpHead(problem));
    });
  }

  /** Called with the requests a dying worker still held (after its stuck head), to send elsewhere. */
  onLost: ((requests: MapperRequest[]) => void) | undefined;

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

  /**
   * Sends a request: the SCHEMA (when new or changed for this worker), the
   * record if there is one, and a marker STATE. The request is answered
   * through its own resolve/reject.
   */
  send(request: MapperRequest): void {
    if (this.dead) {
      request.reject(new FatalError(RunnerCodes.MAPPER_EXITED, `mapper ${this.process.name} is not running`));
      return;
    }
    const schemaText = serializeMessage(request.schema);
    const lines = this.schemasSent.get(request.schema.stream) === schemaText && request.record !== undefined ? [] : [schemaText];
    this.schemasSent.set(request.schema.stream, schemaText);
    if (request.record !== undefined) lines.push(serializeMessage({ type: "RECORD", stream: request.schema.stream, record: request.record }));
    const sequence = this.nextSequence;
    this.nextSequence += 1;
    this.pending.push({ request, sequence, sentAt: Date.now(), outputs: [], schemas: [] });
    lines.push(serializeMessage({ type: "STATE", value: { [MAPPER_MARKER]: sequence } }));
    this.process.stdin.write(lines.join(""));
  }

  /** Fails every waiting request. */
  failAll(error: Error): void {
    for (const pending of this.pending.splice(0)) pending.request.reject(error);
  }

  /**
   * Fails only the oldest request (the one the worker is stuck on) and hands
   * back the others, untouched, to be sent to another worker.
   */
  giveUpHead(error: Error): MapperRequest[] {
    const [head, ...rest] = this.pending.splice(0);
    head?.request.reject(error);
    return rest.map((pending) => pending.request);
  }

  kill(): void {
    this.dead = true;
    this.onLost = undefined;
    this.process.kill("SIGKILL");
  }

  async close(): Promise<void> {
    this.process.endInput();
    const timer = setTimeout(() => this.process.kill("SIGKILL"), 5000);
    await this.process.exited;
    clearTimeout(timer);
  }
}
