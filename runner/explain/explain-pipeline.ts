import { rmSync } from "node:fs";
import { maskSecrets, registerConfigSecrets } from "../../protocol/index.js";
import { rowLaneReason } from "../batches/batch-lane.js";
import { privateDir } from "../process/private-dir.js";
import { buildMiddleware } from "../middleware/build-middleware.js";
import { MiddlewareChain } from "../middleware/chain.js";
import { chainWorksOnArrow, planesOf } from "../middleware/planes.js";
import { RUNNER_BATCH_FORMATS } from "../batches/inspect-batch.js";
import { aboutCached, cachedAbout } from "../connector/about-cache.js";
import { isBundledConnector } from "../process/resolve-command.js";
import { argsWithConfig } from "../connector/connector-config.js";
import { batchFormatsOf, type ConnectorAbout, validatesRecords } from "../connector/about.js";
import type { PipelineDefinition } from "../definition.js";
import type { Middleware, Plane } from "../middleware/types.js";
import { someStreamHasOneTarget, stepOnEveryStream } from "../pipeline/forward-plan.js";
import type { StateStore } from "../state/interfaces.js";

export interface ExplainedStep {
  readonly step: string;
  /** The planes it works on: rows, Arrow batches, or both. */
  readonly planes: ReadonlyArray<"rows" | "arrow">;
}

export interface ExplainedTarget {
  readonly name: string;
  readonly command: string;
  /** The BATCH formats its --about says it reads. */
  readonly reads: readonly string[];
  readonly route: string;
  /** What it is sent: RECORDs, or the tap's BATCH messages as they are. */
  readonly receives: Plane;
  /** True when the tap sends batches but this target gets them as RECORDs. */
  readonly downgraded: boolean;
  readonly why: string;
}

/** A pipeline's plan, worked out without running it (only the connectors' --about is asked, and cached). */
export interface PipelineExplain {
  readonly pipeline: string;
  readonly tap: { readonly name: string; readonly command: string; readonly emits: Plane; readonly batchFormat: string | undefined; readonly why: string };
  readonly validation: string;
  /** How RECORDs cross the runner: forwarded as the tap wrote them, or parsed and validated here, and why. */
  readonly records: string;
  readonly middleware: readonly ExplainedStep[];
  /** The plane records travel on between the tap and the targets. */
  readonly lane: Plane;
  readonly targets: readonly ExplainedTarget[];
  readonly checkpoint: string;
  readonly deadLetters: string;
}

/** How RECORDs cross the runner (see ForwardPlan, which decides it per stream as a run goes). */
function recordsWay(definition: PipelineDefinition, steps: readonly Middleware[], abouts: ReadonlyArray<ConnectorAbout | undefined>): string {
  const everyStream = stepOnEveryStream(steps);
  if (everyStream !== undefined) return `parsed here: middleware ${everyStream.name} works on every stream's records`;
  const filtering = definition.targets.find((target) => target.route?.where !== undefined);
  if (filtering !== undefined) return `parsed here: the route of ${filtering.name} reads each record (where)`;
  const parsedToo =
    steps.length === 0 ? "" : `; parsed for the streams middleware works on (${[...new Set(steps.flatMap((step) => step.streams ?? []))].join(", ")})`;
  if (!definition.validate) return `forwarded as the tap wrote them (validate = false: nothing here reads them)${parsedToo}`;
  if (!someStreamHasOneTarget(definition))
    return `parsed and validated here: every stream goes to all ${definition.targets.length} targets, and each would dead-letter an invalid record on its own`;
  const validating = definition.targets.filter((target, index) => validatesRecords(abouts[index], target.config)).map((target) => target.name);
  const others = definition.targets.filter((target) => !validating.includes(target.name)).map((target) => target.name);
  if (validating.length === 0)
    return `parsed and validated here: ${others.join(", ")} ${others.length === 1 ? "does" : "do"} not say ${others.length === 1 ? "it validates" : "they validate"} records and dead-letter invalid ones (validate-records and dead-letter in --about)`;
  const single =
    definition.targets.length === 1 ? "" : "; a stream sent to more than one target, or to one that does not validate, is parsed and validated here";
  return `forwarded as the tap wrote them: ${validating.join(", ")} ${validating.length === 1 ? "validates" : "validate"} each record and dead-letter${validating.length === 1 ? "s" : ""} an invalid one${single}${parsedToo}`;
}

/** The format of the tap's `batch_config`, when its config sets one. */
function configuredBatchFormat(config: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const batch = config?.["batch_config"];
  if (typeof batch !== "object" || batch === null) return undefined;
  const format = (batch as Record<string, unknown>)["format"];
  return typeof format === "string" ? format : undefined;
}

/**
 * Works out what a run of the pipeline would do, stage by stage: what the
 * tap sends (rows, or batches when its config asks for them), the plane each
 * middleware works on, and per target what it is sent and why (as sent, or
 * downgraded to RECORDs at its boundary), where checkpoints and dead letters
 * go. Nothing is run but the targets' `--about` and our own taps' (answers
 * cached): another tap's answer is used only once a run has asked for it.
 */
export async function explainPipeline(definition: PipelineDefinition, store: StateStore): Promise<PipelineExplain> {
  const dir = privateDir(definition.workDir, "explain");
  try {
    for (const connector of [definition.tap, ...definition.targets]) registerConfigSecrets(connector.config);
    // A tap other than ours is asked only if a run asked it before: a plain Singer tap ignores --about and syncs instead.
    const tapAbout = isBundledConnector(definition.tap.command)
      ? await aboutCached(definition.tap, argsWithConfig(definition.tap, dir), store, definition.name)
      : ((await cachedAbout(definition.tap, store)) ?? { capabilities: undefined, version: undefined });
    const targetAbouts = await Promise.all(definition.targets.map((target) => aboutCached(target, argsWithConfig(target, dir), store, definition.name)));
    const batchFormat = configuredBatchFormat(definition.tap.config);
    const emits: Plane = batchFormat === undefined ? "rows" : "batches";
    const tapWhy =
      batchFormat !== undefined
        ? `its batch_config asks for ${batchFormat} batch files`
        : tapAbout.capabilities?.includes("batch") === true
          ? "RECORD messages (it can send batches: set batch_config in its config)"
          : "RECORD messages";
    // Built as a run builds them (a chain mixing planes fails here, as it would before a run's tap starts); nothing is started.
    const steps = await buildMiddleware(definition.middleware, definition.projectDir, definition.workDir);
    await new MiddlewareChain(steps).close();
    const middleware = definition.middleware.map(
      (spec, index): ExplainedStep => ({ step: spec.type, planes: planesOf(steps[index] ?? {}).map((plane) => (plane === "rows" ? "rows" : "arrow")) }),
    );
    const rowLaneBecause = rowLaneReason(definition, chainWorksOnArrow(steps), batchFormat);
    const lane: Plane = emits === "batches" && rowLaneBecause === undefined ? "batches" : "rows";
    const targets = definition.targets.map((target, index): ExplainedTarget => {
      const about = targetAbouts[index];
      const reads = about === undefined ? [] : batchFormatsOf(about);
      const route =
        target.route === undefined
          ? "every stream"
          : [
              target.route.streams === undefined ? "" : `streams ${target.route.streams.join(", ")}`,
              target.route.where === undefined ? "" : `where ${target.route.where}`,
            ]
              .filter((part) => part !== "")
              .join(", ");
      const base = { name: target.name, command: maskSecrets(target.command), reads, route };
      if (emits === "rows") return { ...base, receives: "rows", downgraded: false, why: "the tap sends RECORD messages" };
      if (lane === "rows") return { ...base, receives: "rows", downgraded: true, why: `batches enter the row lane at the source: ${rowLaneBecause ?? ""}` };
      if (target.route?.where !== undefined) return { ...base, receives: "rows", downgraded: true, why: "its route filters record by record (where)" };
      if (!reads.includes(batchFormat ?? ""))
        return {
          ...base,
          receives: "rows",
          downgraded: true,
          why: `it reads no ${batchFormat ?? ""} batches${reads.length === 0 ? "" : ` (it reads ${reads.join(", ")})`}: each BATCH is expanded into RECORDs at its boundary`,
        };
      return { ...base, receives: "batches", downgraded: false, why: `it reads ${batchFormat ?? ""} batches: each BATCH is sent as it is` };
    });
    const unreadable = batchFormat !== undefined && !RUNNER_BATCH_FORMATS.includes(batchFormat);
    return {
      pipeline: definition.name,
      tap: {
        name: definition.tap.name,
        command: maskSecrets(definition.tap.command),
        emits,
        batchFormat,
        why: unreadable ? `${tapWhy}, a format the runner does not read (the run will fail)` : tapWhy,
      },
      validation: definition.validate
        ? "each RECORD against its stream's SCHEMA; each BATCH file once (files, format; an Arrow file's column types, a jsonl file's first row)"
        : "off (validate = false)",
      records: recordsWay(definition, steps, targetAbouts),
      middleware,
      lane,
      targets,
      checkpoint: `the newest STATE all ${definition.targets.length} target(s) confirmed, saved in ${store.location}${definition.resume ? "; handed to the tap as --state on the next run" : " (resume = false: not handed to the tap)"}`,
      deadLetters:
        definition.onError === "dlq"
          ? `rejected records (validation, middleware, a target's write) and bad batches go to the dead-letter queue in ${store.location}`
          : definition.onError === "skip"
            ? "rejected records are counted and skipped (on_error = skip)"
            : "a rejected record or bad batch fails the run (on_error = fail)",
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The plan as text: one block per stage. */
export function explainText(plan: PipelineExplain): string {
  const lines = [
    `pipeline ${plan.pipeline}`,
    `  tap ${plan.tap.name} (${plan.tap.command}): sends ${plan.tap.emits === "batches" ? `batches (${plan.tap.batchFormat ?? ""})` : "rows"}: ${plan.tap.why}`,
    `  validation: ${plan.validation}`,
    `  records: ${plan.records}`,
    plan.middleware.length === 0
      ? "  middleware: none"
      : `  middleware: ${plan.middleware.map((step) => `${step.step} [${step.planes.join(", ")}]`).join(" → ")}`,
    `  lane: ${plan.lane}`,
    ...plan.targets.map(
      (target) =>
        `  target ${target.name} (${target.command}), ${target.route}: receives ${target.receives === "batches" ? "batches as sent" : target.downgraded ? "rows (downgraded)" : "rows"}: ${target.why}`,
    ),
    `  checkpoint: ${plan.checkpoint}`,
    `  dead letters: ${plan.deadLetters}`,
  ];
  return `${lines.join("\n")}\n`;
}
