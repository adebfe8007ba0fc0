/**
 * Agora's runner as a library: run a pipeline, keep its state, replay its dead letters.
 *
 * Reading it top-down: `agora run`, `agora worker` and `agora dlq replay`
 * (cli/, worker/) all call `executePipeline` (pipeline/execute-pipeline.ts;
 * `executeNow` for a run asked for by hand),
 * which takes the pipeline's lease and runs a sync (`runPipeline`,
 * pipeline/run-pipeline.ts: tap → DataPath (validation, middleware) →
 * TargetSet, with CheckpointKeeper and DeadLetterRouter writing to the
 * store in order) or a replay (dlq/replay.ts: the same DataPath and
 * TargetSet, with the dead letters as the source). What is kept between runs sits behind the interfaces of
 * state/interfaces.ts (SQLite by default, memory for tests).
 */
export {
  executeNow,
  executePipeline,
  type Busy,
  type Execution,
  type ExecuteOptions,
  type PipelineJob,
  type ReplayJob,
  type SyncJob,
} from "./pipeline/execute-pipeline.js";
export { runPipeline } from "./pipeline/run-pipeline.js";
export type { RunOptions } from "./pipeline/run-options.js";
export { newRunId, recordFailedRun } from "./pipeline/run-records.js";
export { RunEvents, type RunEventMap } from "./pipeline/run-events.js";
export type { RunPhase } from "./pipeline/run-phase.js";
export { StopRequests } from "./pipeline/stop-requests.js";
export type { ConnectorDefinition, ErrorPolicy, PipelineDefinition, RunResult } from "./pipeline/types.js";
export { loadProject, projectFromValue, PROJECT_FILE } from "./project/load-project.js";
export { resolvePipeline, type PipelineOverrides } from "./project/resolve-pipeline.js";
export type { Project } from "./project/project-types.js";
export type { CatalogCache, CheckpointStore, DeadLetterStore, LeaseStore, RunStore, ScheduleStore, StateStore } from "./state/interfaces.js";
export { openStateStore } from "./state/open-state-store.js";
export { SqliteStateStore } from "./state/sqlite/sqlite-state-store.js";
export { MemoryStateStore } from "./state/memory/memory-state-store.js";
export { PostgresStateStore } from "./state/postgres/postgres-state-store.js";
export { startTracing, traceTo, type Tracing } from "./tracing/tracing-setup.js";
export type { DeadLetter, FailureKind, RunFailure, RunProgress, RunRecord, SavedCheckpoint } from "./state/types.js";
export { replayDeadLetters, type ReplayMode, type ReplaySummary } from "./dlq/replay.js";
export { buildMiddleware, MIDDLEWARE_TYPES } from "./middleware/build-middleware.js";
export type { Middleware, MiddlewareSpec, RecordValue, StreamShape } from "./middleware/types.js";
