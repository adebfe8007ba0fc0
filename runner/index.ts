/**
 * Agora's runner as a library: run a pipeline, keep its state, replay its dead letters.
 *
 * Reading it top-down: `agora run`, `agora worker` and `agora dlq replay`
 * (cli/, worker/) all call `executePipeline` (execute-pipeline.ts;
 * `executeNow` for a run asked for by hand), which takes the pipeline's
 * lease and runs a sync (`runPipeline`, pipeline/run-pipeline.ts) or a
 * replay (dlq/replay.ts). A run's parts are built and wired in one place,
 * pipeline/assemble-run.ts, each handed the ports (ports.ts) it
 * writes to:
 *
 * - a record (modules of pipeline/ unless named): the tap's stdout → MessagePump (message-pump.ts: framing,
 *   backpressure; a stream ForwardPlan (forward-plan.ts) forwards is not parsed) → DataPath (data-path.ts:
 *   validation, middleware, the ordered window; BATCHes through batches/batch-route.ts) → OutgoingSender
 *   (outgoing.ts: routes, counts) → TargetSink (target-set.ts) → TargetChannel (target-channel.ts) → a
 *   target's stdin;
 * - a STATE back: a target's stdout → TargetChannel → TargetReports
 *   (run-reports.ts) → CheckpointKeeper (checkpoint-keeper.ts) →
 *   StoreWrites (store-writes.ts) → the state store.
 *
 * A replay runs the same loop with the dead letters as its source. What is
 * kept between runs sits behind the interfaces of state/interfaces.ts
 * (SQLite by default, Postgres for a fleet, memory for tests).
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
} from "./execute-pipeline.js";
export { runPipeline } from "./pipeline/run-pipeline.js";
export type { RunOptions } from "./pipeline/run-options.js";
export { newRunId, recordFailedRun } from "./pipeline/run-records.js";
export { RunEvents, type RunEventMap } from "./pipeline/run-events.js";
export type { RunPhase } from "./pipeline/run-phase.js";
export { StopRequests } from "./pipeline/stop-requests.js";
export type { RunResult } from "./pipeline/types.js";
export type { ConnectorDefinition, ErrorPolicy, PipelineDefinition } from "./definition.js";
export { loadProject, projectFromValue, PROJECT_FILE } from "./project/load-project.js";
export { resolvePipeline, type PipelineOverrides } from "./project/resolve-pipeline.js";
export type { Project } from "./project/project-types.js";
export type { CatalogCache, CheckpointStore, DeadLetterStore, LeaseStore, RunStore, ScheduleStore, StateStore } from "./state/interfaces.js";
export { openStateStore } from "./state/open-state-store.js";
export { SqliteStateStore } from "./state/sqlite/sqlite-state-store.js";
export { MemoryStateStore } from "./state/memory/memory-state-store.js";
export { PostgresStateStore } from "./state/postgres/postgres-state-store.js";
export { startTracing, traceTo, type Tracing } from "./tracing/tracing-setup.js";
export type { DeadLetter, RunFailure, RunProgress, RunRecord, SavedCheckpoint } from "./state/types.js";
export { replayDeadLetters, type ReplayMode, type ReplaySummary } from "./dlq/replay.js";
export { buildMiddleware, MIDDLEWARE_TYPES } from "./middleware/build-middleware.js";
export type { Middleware, MiddlewareSpec, RecordValue, StreamShape } from "./middleware/types.js";
