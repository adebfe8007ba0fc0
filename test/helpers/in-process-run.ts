import { join } from "node:path";
import { createLogger } from "../../protocol/index.js";
import { loadProject, MemoryStateStore, openStateStore, resolvePipeline, runPipeline, type RunResult, type StateStore } from "../../runner/index.js";
import { summaryLine } from "../../runner/pipeline/run-summary.js";
import { noteBugLines } from "./processes.js";

/** A run made in the test's own process, and what it logged. */
export interface InProcessRun {
  readonly result: RunResult;
  /**
   * Every line the runner logged at info, and the summary line last, as `agora run` prints them. Its
   * connectors' own stderr is not here: it goes to this process's stderr, as a run's goes to agora's.
   */
  readonly log: string;
  readonly store: StateStore;
}

/**
 * Runs pipeline `name` of the project in `dir` through the run core itself (runPipeline), on a
 * state store in memory unless one is given: the tap, targets and mappers are real processes, but
 * no `agora` process starts, so a test of what the run core does (confirmation order, routing,
 * dead letters, checkpoints) pays for the connectors alone. Its log ends with the summary line
 * `agora run` prints; the CLI's own part (options, exit codes, what it prints) has tests of its
 * own through `agora`.
 */
export async function runInProcess(dir: string, name = "p", store: StateStore = new MemoryStateStore()): Promise<InProcessRun> {
  let log = "";
  const logger = createLogger("agora", "info", (line) => (log += line));
  const pipeline = resolvePipeline(loadProject(join(dir, "pipelines.toml")), name);
  const result = await runPipeline(pipeline, { store, logger });
  log += `${summaryLine(result)}\n`;
  noteBugLines(`in-process run of ${name}`, log);
  return { result, log, store };
}

/**
 * runInProcess on the project's own state store (its SQLite file unless pipelines.toml names
 * another), as `agora run` would use it: for tests whose runs share a catalog cache or a
 * checkpoint, or that go on with agora's other commands on the project.
 */
export async function runInProject(dir: string, name = "p"): Promise<InProcessRun> {
  const store = openStateStore(loadProject(join(dir, "pipelines.toml")).stateStore);
  try {
    return await runInProcess(dir, name, store);
  } finally {
    await store.close();
  }
}

/** runInProject for a run that must succeed: what it logged, the summary line last, as `agora run` prints it. */
export async function runSucceeds(dir: string, name = "p"): Promise<string> {
  const { result, log } = await runInProject(dir, name);
  if (result.status !== "succeeded") throw new Error(`the in-process run of ${name} ${result.status}:\n${log}`);
  return log;
}
