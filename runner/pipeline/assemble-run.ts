import type { Logger } from "../../protocol/index.js";
import { BatchFileLedger } from "../batches/batch-file-ledger.js";
import { BatchRoute, type BatchFormatSource } from "../batches/batch-route.js";
import { SchemaContract } from "../catalog/schema-contract.js";
import { DeadLetterRouter } from "./dead-letter-router.js";
import { MiddlewareChain } from "../middleware/chain.js";
import type { Middleware } from "../middleware/types.js";
import type { CheckpointStore, DeadLetterStore } from "../state/interfaces.js";
import { Activity } from "./activity.js";
import { CheckpointKeeper } from "./checkpoint-keeper.js";
import { DataPath } from "./data-path.js";
import type { RunControl } from "../ports.js";
import { RunCounts } from "./run-counts.js";
import type { RunEvents } from "./run-events.js";
import { RunReports } from "./run-reports.js";
import { StoreWrites } from "./store-writes.js";
import { StreamDirectory } from "./stream-directory.js";
import { TargetSet } from "./target-set.js";
import type { PipelineDefinition } from "../definition.js";

/** What a run is assembled from. */
export interface RunAssembly {
  readonly runId: string;
  readonly checkpoints: CheckpointStore;
  readonly deadLetters: DeadLetterStore;
  readonly logger: Logger;
  readonly events: RunEvents;
  readonly middleware: readonly Middleware[];
  /** The checkpoint saved before this run (undefined on a full refresh). */
  readonly saved: unknown;
  /** A full refresh saves its checkpoint only once it succeeded. */
  readonly fullRefresh: boolean;
  /** The run itself: what its parts may ask of it. */
  readonly control: RunControl;
  /** Which BATCH formats each target reads, asked when the first BATCH comes. */
  readonly formats: BatchFormatSource;
}

/** The parts of one run, each handed the ports it writes to. */
export interface RunParts {
  readonly activity: Activity;
  readonly writes: StoreWrites;
  readonly counts: RunCounts;
  readonly streams: StreamDirectory;
  readonly checkpoint: CheckpointKeeper;
  readonly router: DeadLetterRouter;
  readonly batchFiles: BatchFileLedger;
  readonly reports: RunReports;
  readonly targets: TargetSet;
  readonly chain: MiddlewareChain;
  readonly batches: BatchRoute;
  readonly contract: SchemaContract;
  readonly data: DataPath;
}

/**
 * Builds a run's parts and wires them: the data path sends to the targets
 * (TargetSink), whose STATEs the checkpoint numbers (StateLedger) and whose
 * reports come back (TargetReports) to the checkpoint, which queues each
 * save on the run's ordered store writes, as the dead-letter router queues
 * each dead letter. Nothing is started.
 */
export function assembleRun(definition: PipelineDefinition, assembly: RunAssembly): RunParts {
  const { runId, logger, events, control } = assembly;
  const targetCount = definition.targets.length;
  const activity = new Activity(events);
  const writes = new StoreWrites(control);
  const counts = new RunCounts(targetCount);
  const streams = new StreamDirectory(definition);
  const batchFiles = new BatchFileLedger(logger, definition.name);
  const checkpoint = new CheckpointKeeper(targetCount, assembly.checkpoints, writes, definition.name, runId, logger, assembly.saved, counts, [
    batchFiles,
    events,
  ]);
  if (assembly.fullRefresh) checkpoint.deferSaves();
  const router = new DeadLetterRouter(definition.onError, assembly.deadLetters, writes, definition.name, runId, checkpoint, counts, logger);
  const reports = new RunReports(definition, { checkpoint, router, events, streams, counts, activity, control });
  const targets = new TargetSet(definition.targets, checkpoint, reports, logger);
  const chain = new MiddlewareChain(assembly.middleware);
  const batches = new BatchRoute(definition, chain, streams, counts, { sink: targets, rejections: reports, files: batchFiles, formats: assembly.formats });
  const contract = new SchemaContract(definition.schemaChanges, definition.catalog, definition.name, logger);
  const data = new DataPath(definition, chain, { sink: targets, rejections: reports, control, streams, counts, batches, contract });
  return { activity, writes, counts, streams, checkpoint, router, batchFiles, reports, targets, chain, batches, contract, data };
}
