import { type Logger, UsageError } from "../../protocol/index.js";
import type { PipelineDefinition } from "../definition.js";
import { RunnerCodes } from "../errors.js";
import { executeNow } from "../execute-pipeline.js";
import type { StopRequests } from "../pipeline/stop-requests.js";
import { adHocPipeline } from "../project/ad-hoc-pipeline.js";
import type { Project } from "../project/project-types.js";
import { resolvePipeline } from "../project/resolve-pipeline.js";
import type { DeadLetterStore, StateStore } from "../state/interfaces.js";
import type { DeadLetter, DeadLetterStage } from "../state/types.js";
import type { ReplayMode, ReplaySummary } from "./replay.js";

/**
 * What a user does to dead letters (`agora dlq` and the console alike):
 * find one, repair its record, replay a selection, and how each is told.
 */

/** Dead letter `id` of `pipeline`, or a usage error saying there is none. */
export async function deadLetterOf(store: DeadLetterStore, pipeline: string, id: number | string): Promise<DeadLetter> {
  const entry = await store.getDeadLetter(Number(id));
  if (entry === undefined || entry.pipeline !== pipeline)
    throw new UsageError(RunnerCodes.DLQ_ENTRY_NOT_FOUND, `pipeline ${pipeline} has no dead letter ${id}`, {
      hint: `See \`agora dlq list ${pipeline} --status all\`.`,
    });
  return entry;
}

/** The record a repair changes (and a replay sends), or a usage error saying why this entry has none to change. */
export function repairableRecord(entry: DeadLetter): Record<string, unknown> {
  if (entry.status !== "pending")
    throw new UsageError(RunnerCodes.DLQ_EDIT_INVALID, `dead letter ${entry.id} was replayed already (done): there is nothing to repair`, {
      hint: `Pending ones: \`agora dlq list ${entry.pipeline}\`.`,
    });
  const record = entry.original ?? entry.processed;
  if (record === undefined)
    throw new UsageError(
      RunnerCodes.DLQ_EDIT_INVALID,
      `dead letter ${entry.id} holds no record, only the source's text (${entry.stage}): there is nothing to edit or replay`,
      { hint: "Fix the row at the source; the next run reads it again." },
    );
  return record;
}

/** A dead letter's latest event in a few words: a replay that failed again (numbered), an edit, else its first error. */
export function latestError(entry: DeadLetter): string {
  const latest = entry.history.at(-1);
  // A store from before histories were kept has only the latest replay's error.
  if (latest === undefined) return entry.lastError === undefined ? entry.errorMessage : `replay ${entry.attempts}: ${entry.lastError}`;
  if (latest.kind === "edited") return `edited (${latest.detail}); before: ${entry.lastError ?? entry.errorMessage}`;
  const attempt = entry.history.filter((event) => event.kind === "replay_failed").length;
  return `replay ${attempt}: ${latest.detail}`;
}

/**
 * An ad hoc pipeline (`agora run --tap/--target`) as its run left it in the
 * store, for a replay: its targets' command lines, or those given again
 * (needed when a secret was masked out of them).
 */
async function adHocForReplay(store: StateStore, pipeline: string, targets: readonly string[], project: Project | undefined): Promise<PipelineDefinition> {
  const projectFile = project?.file;
  const remembered = await store.getAdHocPipeline(pipeline);
  if (remembered === undefined) {
    throw new UsageError(
      RunnerCodes.PIPELINE_NOT_FOUND,
      `no pipeline "${pipeline}" ${projectFile === undefined ? "here (no pipelines.toml)" : `in ${projectFile}`}, and no ad hoc run of that name in the state store`,
      {
        hint:
          projectFile === undefined
            ? "Run it in the project's folder, or pass --project FILE or --state-store LOCATION."
            : "Check the name: agora runs list shows the pipelines that have run.",
      },
    );
  }
  if (targets.length > 0) return adHocPipeline(pipeline, remembered.tap, targets, remembered.cwd, {}, project);
  if (remembered.masked) {
    throw new UsageError(
      RunnerCodes.DLQ_TARGETS_NEEDED,
      `ad hoc pipeline ${pipeline}'s commands held a secret, which the state store does not keep: ${remembered.targets.map((target) => `--target '${target}'`).join(" ")}`,
      {
        hint: `Give its target command lines again: agora dlq replay ${pipeline} --target '...' (one --target per target).`,
      },
    );
  }
  return adHocPipeline(pipeline, remembered.tap, remembered.targets, remembered.cwd, {}, project);
}

export interface ReplayRequest {
  readonly mode: ReplayMode;
  readonly stage?: DeadLetterStage | undefined;
  readonly ids?: readonly number[] | undefined;
  /** An ad hoc pipeline's target command lines, when the store could not keep them. */
  readonly targets?: readonly string[] | undefined;
}

export interface ReplayContext {
  readonly store: StateStore;
  readonly project: Project | undefined;
  readonly logger: Logger;
  readonly stop: StopRequests;
}

/** Sends a pipeline's pending dead letters (or a selection) through it again, under its lease (a running run makes it PIPELINE_BUSY). */
export async function replayPipelineDeadLetters(pipeline: string, request: ReplayRequest, context: ReplayContext): Promise<ReplaySummary> {
  const { store, project } = context;
  const definition =
    project?.pipelines[pipeline] !== undefined ? resolvePipeline(project, pipeline) : await adHocForReplay(store, pipeline, request.targets ?? [], project);
  return executeNow(
    definition,
    { kind: "replay", mode: request.mode, stage: request.stage, ids: request.ids },
    { store, logger: context.logger, stop: context.stop, leaseSeconds: project?.worker.lease_seconds },
  );
}

/** A replay's outcome in one line. */
export function replayLine(pipeline: string, mode: ReplayMode, summary: ReplaySummary): string {
  return `replayed ${summary.attempted} of ${pipeline}'s dead letters (${mode}): ${summary.succeeded} succeeded and are done, ${summary.failed} failed again and stay${summary.notReplayable > 0 ? `, ${summary.notReplayable} have no record to replay (fix the source row)` : ""}${summary.unconfirmed > 0 ? `, ${summary.unconfirmed} were not confirmed by every target and stay pending` : ""}`;
}
