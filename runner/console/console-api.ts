import { asAgoraError, type Logger, maskSecrets, parseJson, stringifyJson, UsageError } from "../../protocol/index.js";
import { deadLetterOf, latestError, repairableRecord, replayLine, replayPipelineDeadLetters } from "../dlq/dead-letter-actions.js";
import { applyEdits, describeEdits, type FieldEdit, parseSet, parseUnset } from "../dlq/edit-record.js";
import type { ReplayMode } from "../dlq/replay.js";
import { RunnerCodes } from "../errors.js";
import { explainPipeline } from "../explain/explain-pipeline.js";
import { StopRequests } from "../pipeline/stop-requests.js";
import type { Project } from "../project/project-types.js";
import { resolvePipeline } from "../project/resolve-pipeline.js";
import type { ScheduledPipeline } from "../scheduler/scheduled-pipeline.js";
import type { StateStore } from "../state/interfaces.js";
import type { DeadLetter, DeadLetterFilter } from "../state/types.js";
import { pipelineOverview, type SchedulerView } from "./pipeline-overview.js";
import { type Answer, errorAnswer, jsonAnswer } from "./http-answer.js";
import { deadLetterQuery, pageQuery, replayBody, selectionBody } from "./request-shapes.js";

/** What the console's answers are made from. */
export interface ConsoleSources {
  readonly project: Project | undefined;
  readonly scheduled: ReadonlyMap<string, ScheduledPipeline>;
  readonly store: StateStore;
  readonly scheduler?: SchedulerView | undefined;
  readonly logger: Logger;
  /** No action (edit, replay, purge) is taken. */
  readonly readOnly: boolean;
}

/** A request as a route sees it: the parts of the path after /api/, the query, and the body (actions). */
export interface ApiRequest {
  readonly method: string;
  readonly parts: readonly string[];
  readonly query: URLSearchParams;
  readonly body: string;
}

/** The HTTP status of an error that reached a route. */
function statusOf(code: string, kind: string): number {
  if (code === RunnerCodes.PIPELINE_NOT_FOUND || code === RunnerCodes.DLQ_ENTRY_NOT_FOUND) return 404;
  if (code === RunnerCodes.PIPELINE_BUSY) return 409;
  return kind === "usage" || kind === "config" ? 400 : 500;
}

/**
 * A dead letter in full, with its records as exact text (a browser's JSON
 * would round a number past 2^53): as it arrived, and as a replay sends it.
 */
function letterInFull(entry: DeadLetter): Record<string, unknown> {
  const record = entry.original ?? entry.processed;
  const text = (value: unknown): string | null => (value === undefined ? null : stringifyJson(value, 2));
  return { ...entry, latest: latestError(entry), arrivedText: entry.raw ?? text(record), recordText: text(record) };
}

/** A dead letter as a list shows it: no records, its latest error in words. */
function letterLine(entry: DeadLetter): Record<string, unknown> {
  const { id, stream, stage, errorCode, attempts, status, createdAt, runId } = entry;
  return { id, stream, stage, errorCode, attempts, status, createdAt, runId, latest: latestError(entry) };
}

/**
 * The console's JSON API: the same reads the CLI's `runs`, `state`,
 * `explain` and `dlq` commands make, and the same dead-letter actions
 * through the same code. Every answer is masked of secrets, like a log.
 */
export class ConsoleApi {
  constructor(private readonly sources: ConsoleSources) {}

  async answer(request: ApiRequest): Promise<Answer> {
    try {
      const answer = await this.route(request);
      return typeof answer.body === "string" ? { ...answer, body: maskSecrets(answer.body) } : answer;
    } catch (thrown) {
      const error = asAgoraError(thrown);
      return errorAnswer(statusOf(error.code, error.kind), error.code, maskSecrets(error.toUserLine({ withHint: false })), error.hint);
    }
  }

  private async route({ method, parts, query, body }: ApiRequest): Promise<Answer> {
    const [first, pipeline, what, id, action] = parts;
    if (method === "GET" && first === "pipelines" && pipeline === undefined) return jsonAnswer(await this.pipelines());
    if (first !== "pipelines" || pipeline === undefined) return errorAnswer(404, "NOT_FOUND", `no such API: /api/${parts.join("/")}`);
    await this.requireKnown(pipeline);
    if (method === "GET") {
      if (what === "runs") return jsonAnswer(await this.runs(pipeline, query));
      if (what === "checkpoint") return jsonAnswer(await this.checkpoint(pipeline));
      if (what === "plan") return jsonAnswer(await explainPipeline(resolvePipeline(this.requireProject(pipeline), pipeline), this.sources.store));
      if (what === "dead-letters" && id === undefined) return jsonAnswer(await this.deadLetters(pipeline, query));
      if (what === "dead-letters" && id !== undefined) {
        return jsonAnswer(letterInFull(await deadLetterOf(this.sources.store, pipeline, id)));
      }
    }
    if (method === "POST") {
      if (this.sources.readOnly)
        return errorAnswer(403, "CONSOLE_READ_ONLY", "the console is read-only: it takes no action", "Use the CLI, or set [worker] console_read_only = false.");
      if (what === "dead-letters" && id !== undefined && action === "edit") return jsonAnswer(await this.edit(pipeline, id, body));
      if (what === "replay") return jsonAnswer(await this.replay(pipeline, body));
      if (what === "purge") return jsonAnswer(await this.purge(pipeline, body));
    }
    return errorAnswer(404, "NOT_FOUND", `no such API: ${method} /api/${parts.join("/")}`);
  }

  private pipelines(): Promise<unknown> {
    const { project, scheduled, store, scheduler } = this.sources;
    return pipelineOverview({ project, scheduled, store, scheduler, withAdHoc: true });
  }

  /** A pipeline of the project, or one the store has runs of; else PIPELINE_NOT_FOUND. */
  private async requireKnown(pipeline: string): Promise<void> {
    if (Object.hasOwn(this.sources.project?.pipelines ?? {}, pipeline)) return;
    if ((await this.sources.store.countRuns(pipeline)) > 0 || (await this.sources.store.getCheckpoint(pipeline)) !== undefined) return;
    throw new UsageError(RunnerCodes.PIPELINE_NOT_FOUND, `no pipeline "${pipeline}" in the project or the state store`, {
      hint: "The pipelines page lists them.",
    });
  }

  private requireProject(pipeline: string): Project {
    const project = this.sources.project;
    if (project === undefined || !Object.hasOwn(project.pipelines, pipeline))
      throw new UsageError(RunnerCodes.PIPELINE_NOT_FOUND, `pipeline "${pipeline}" is an ad hoc one: it has no plan in pipelines.toml`);
    return project;
  }

  private async runs(pipeline: string, query: URLSearchParams): Promise<unknown> {
    const { offset, limit } = pageQuery(query);
    const [total, runs] = await Promise.all([this.sources.store.countRuns(pipeline), this.sources.store.listRuns(pipeline, limit, offset)]);
    return { total, offset, limit, runs };
  }

  private async checkpoint(pipeline: string): Promise<unknown> {
    const [current, history] = await Promise.all([this.sources.store.getCheckpoint(pipeline), this.sources.store.checkpointHistory(pipeline, 50)]);
    const text = (state: unknown): string => stringifyJson(state, 2);
    return {
      current: current === undefined ? null : { ...current, stateText: text(current.state) },
      // A run's copy is kept only when small and recent: then only its size is known.
      history: history.map((entry) => ({ ...entry, stateText: entry.state === undefined ? null : text(entry.state) })),
    };
  }

  private async deadLetters(pipeline: string, query: URLSearchParams): Promise<unknown> {
    const filter: DeadLetterFilter = { pipeline, ...deadLetterQuery(query) };
    const [total, letters, groups] = await Promise.all([
      this.sources.store.countDeadLetters({ ...filter, limit: undefined, offset: undefined }),
      this.sources.store.listDeadLetters(filter),
      this.sources.store.groupDeadLetters(pipeline),
    ]);
    return { total, offset: filter.offset, limit: filter.limit, letters: letters.map(letterLine), groups };
  }

  /** Field edits (`set`: FIELD=VALUE as the CLI's --set reads them; `unset`: FIELD), or the whole record as JSON text. */
  private async edit(pipeline: string, id: string, body: string): Promise<unknown> {
    const request = parseJson(body || "{}") as { set?: unknown; unset?: unknown; record?: unknown };
    const entry = await deadLetterOf(this.sources.store, pipeline, id);
    const record = repairableRecord(entry);
    let edited: Record<string, unknown>;
    let detail: string;
    if (typeof request.record === "string") {
      const whole = parseJson(request.record);
      if (typeof whole !== "object" || whole === null || Array.isArray(whole))
        throw new UsageError(RunnerCodes.DLQ_EDIT_INVALID, "the edited record is not a JSON object", { hint: "A record is {…}." });
      edited = whole as Record<string, unknown>;
      detail = "edited in the console";
    } else {
      const texts = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : []);
      const edits: FieldEdit[] = [...texts(request.set).map(parseSet), ...texts(request.unset).map(parseUnset)];
      if (edits.length === 0) throw new UsageError(RunnerCodes.DLQ_EDIT_INVALID, "the edit changes nothing", { hint: "Set or remove a field." });
      edited = applyEdits(record, edits);
      detail = describeEdits(edits);
    }
    await this.sources.store.editDeadLetter(entry.id, edited, detail);
    this.sources.logger.info(`console: dead letter ${id} of ${pipeline} edited (${detail})`);
    return letterInFull(await deadLetterOf(this.sources.store, pipeline, id));
  }

  private async replay(pipeline: string, body: string): Promise<unknown> {
    const { ids, mode } = replayBody(body);
    const stop = new StopRequests();
    const summary = await replayPipelineDeadLetters(pipeline, { mode: mode as ReplayMode, ids }, { ...this.sources, stop });
    const line = replayLine(pipeline, mode as ReplayMode, summary);
    this.sources.logger.info(`console: ${line}`);
    return { ...summary, line };
  }

  private async purge(pipeline: string, body: string): Promise<unknown> {
    const { ids, status } = selectionBody(body);
    const removed = await this.sources.store.purgeDeadLetters({ pipeline, ids, status });
    this.sources.logger.info(`console: deleted ${removed} dead letter(s) of ${pipeline}`);
    return { removed, line: `deleted ${removed} dead letter(s) of ${pipeline}` };
  }
}
