import type { Project } from "../project/project-types.js";
import type { PipelineStatus, ScheduledPipeline } from "../scheduler/scheduled-pipeline.js";
import type { StateStore } from "../state/interfaces.js";

/** What a process running pipelines can tell of one: the worker answers, a console on its own does not. */
export interface SchedulerView {
  status(pipeline: string): PipelineStatus | undefined;
}

/** One pipeline at a glance: `agora worker --list` and the console's first page. */
export interface PipelineOverview {
  readonly pipeline: string;
  readonly schedule: string;
  /** This worker's state of it (waiting, running, sleeping, stopped…); null where no worker runs here. */
  readonly state: string | null;
  readonly consecutiveErrors: number | null;
  /** The fleet's next due time, else when a worker started now would run it; null when not scheduled (or not again). */
  readonly nextRun: string | null;
  /** Which worker (host:pid:…) holds its lease now. */
  readonly heldBy: string | null;
  readonly lastRun: { id: string; status: string; startedAt: string; endedAt: string | null; error: string | null } | null;
  readonly checkpointAt: string | null;
  readonly checkpointAgeSeconds: number | null;
  readonly pendingDeadLetters: number;
  /** False for an ad hoc pipeline (`agora run --tap/--target`) known only from the store. */
  readonly inProject: boolean;
}

export interface OverviewSources {
  readonly project: Project | undefined;
  readonly scheduled: ReadonlyMap<string, ScheduledPipeline>;
  readonly store: StateStore;
  readonly scheduler?: SchedulerView | undefined;
  /** Also the ad hoc pipelines the store has a checkpoint of. */
  readonly withAdHoc?: boolean;
}

/** Every pipeline of the project (and ad hoc ones, if asked), as the store and (in a worker) the scheduler see it now. */
export async function pipelineOverview(sources: OverviewSources, now = new Date()): Promise<PipelineOverview[]> {
  const { project, scheduled, store, scheduler } = sources;
  const names = new Set(Object.keys(project?.pipelines ?? {}));
  const checkpoints = new Map((await store.listCheckpoints()).map((saved) => [saved.pipeline, saved]));
  const adHoc = sources.withAdHoc === true ? [...checkpoints.keys()].filter((name) => !names.has(name)).sort() : [];
  return Promise.all(
    [...names, ...adHoc].map(async (name): Promise<PipelineOverview> => {
      const pipeline = scheduled.get(name);
      const [last] = await store.listRuns(name, 1);
      const recorded = await store.getNextRun(name);
      const fleetNext = recorded !== undefined && recorded.schedule === pipeline?.schedule.description ? (recorded.at ?? null) : undefined;
      const status = scheduler?.status(name);
      const saved = checkpoints.get(name);
      return {
        pipeline: name,
        schedule: pipeline?.schedule.description ?? "not scheduled",
        state: status?.state ?? null,
        consecutiveErrors: status?.consecutiveErrors ?? null,
        nextRun: pipeline === undefined ? null : (fleetNext ?? pipeline.schedule.first(now).toISOString()),
        heldBy: (await store.leaseHolder(name)) ?? null,
        lastRun:
          last === undefined ? null : { id: last.id, status: last.status, startedAt: last.startedAt, endedAt: last.endedAt ?? null, error: last.error ?? null },
        checkpointAt: saved?.updatedAt ?? null,
        checkpointAgeSeconds: saved === undefined ? null : Math.round((now.getTime() - Date.parse(saved.updatedAt)) / 1000),
        pendingDeadLetters: await store.countDeadLetters({ pipeline: name, status: "pending" }),
        inProject: names.has(name),
      };
    }),
  );
}
