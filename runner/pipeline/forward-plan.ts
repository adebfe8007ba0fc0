import type { Logger, RecordForwarding } from "../../protocol/index.js";
import { aboutCached } from "../connector/about-cache.js";
import { validatesRecords } from "../connector/about.js";
import type { CatalogCache } from "../state/interfaces.js";
import type { SchemaContract } from "../catalog/schema-contract.js";
import type { PipelineDefinition } from "../definition.js";
import type { MiddlewareChain } from "../middleware/chain.js";
import type { Middleware } from "../middleware/types.js";
import type { StreamDirectory } from "./stream-directory.js";

/** Whether a stream's RECORD lines go to the targets unparsed, and why (said in the debug log). */
export interface ForwardDecision {
  readonly forwarded: boolean;
  readonly why: string;
}

/**
 * True when some stream's records could be forwarded to a target because it
 * validates them (what the targets say of themselves decides the rest): not
 * when the runner does not validate (nothing to hand over), nor when a step
 * works on every stream, nor when every stream goes to several targets.
 * Only then are targets asked their --about for it.
 */
function targetsMayValidateForUs(definition: PipelineDefinition, chain: MiddlewareChain): boolean {
  return definition.validate && stepOnEveryStream(chain.steps) === undefined && someStreamHasOneTarget(definition);
}

/** The first middleware step that works on every stream's records, if one does: then no stream is forwarded. */
export function stepOnEveryStream(steps: readonly Middleware[]): Middleware | undefined {
  return steps.find((step) => step.streams === undefined);
}

/** True when a stream can go to one target alone: there is one, or routes give targets some streams only. */
export function someStreamHasOneTarget(definition: PipelineDefinition): boolean {
  return definition.targets.length === 1 || definition.targets.some((target) => target.route?.streams !== undefined);
}

/** Per target, whether it validates records itself, from its --about (asked once per executable, as explain asks it, and cached). */
export async function targetsValidating(definition: PipelineDefinition, chain: MiddlewareChain, cache: CatalogCache): Promise<boolean[]> {
  if (!targetsMayValidateForUs(definition, chain)) return definition.targets.map(() => false);
  return Promise.all(
    definition.targets.map(async (target) =>
      // Asked without its config: the target itself reads that file as it starts.
      validatesRecords(await aboutCached(target, target.args, cache, definition.name), target.config),
    ),
  );
}

/**
 * Which streams' records the runner forwards as the tap wrote them, reading
 * only each line's type and stream: those nothing in the runner needs to
 * read (no middleware step applies to the stream, no route's `where`, no
 * catalog cut), sent to one target that validates records against the same
 * SCHEMA and answers an invalid one with a DEAD_LETTER (its --about says
 * `validate-records` and `dead-letter`, and its config does not turn
 * validation off). Every other stream is parsed and validated here, as
 * before. A stream is decided again at each of its SCHEMAs.
 */
export class ForwardPlan implements RecordForwarding {
  private readonly decided = new Map<string, ForwardDecision>();
  /** What the log last said of each stream, so a stream's decision is said once, and again only when it changes. */
  private readonly said = new Map<string, boolean>();

  constructor(
    private readonly definition: PipelineDefinition,
    private readonly chain: MiddlewareChain,
    private readonly streams: StreamDirectory,
    private readonly contract: SchemaContract | undefined,
    /** Per target: true when it validates records and answers invalid ones as DEAD_LETTERs. */
    private readonly validates: readonly boolean[],
    private readonly logger?: Logger,
  ) {}

  forwards(stream: string): boolean {
    return this.decision(stream).forwarded;
  }

  /** False when no stream can be forwarded, whatever streams come: the tap's reader then need not read any line's head. */
  get forwardsAny(): boolean {
    if (stepOnEveryStream(this.chain.steps) !== undefined) return false;
    return !this.definition.validate || (someStreamHasOneTarget(this.definition) && this.validates.some((validates) => validates));
  }

  /** Forgets what was decided for a stream: its new SCHEMA may change it (a cut, say). */
  schemaArrived(stream: string): void {
    this.decided.delete(stream);
  }

  decision(stream: string): ForwardDecision {
    let decided = this.decided.get(stream);
    if (decided === undefined) {
      decided = this.decide(stream);
      this.decided.set(stream, decided);
      if (this.said.get(stream) !== decided.forwarded) {
        this.said.set(stream, decided.forwarded);
        this.logger?.debug(`stream ${stream}: records ${decided.why}`);
      }
    }
    return decided;
  }

  /** True when all but the catalog's cut (known only once the stream's SCHEMA is handled) would forward it. */
  mayForward(stream: string): boolean {
    return this.decideWithoutCut(stream).forwarded;
  }

  private decide(stream: string): ForwardDecision {
    if (this.contract?.cutFor(stream) !== undefined) return { forwarded: false, why: "parsed: the catalog cuts its records to the selected properties" };
    return this.decideWithoutCut(stream);
  }

  private decideWithoutCut(stream: string): ForwardDecision {
    const step = this.chain.stepsFor(stream)[0];
    if (step !== undefined) return { forwarded: false, why: `parsed: middleware ${step.name} works on its records` };
    const targets = this.streams.routes.forStream(stream) ?? this.definition.targets.map((_, index) => index);
    const filtering = targets.find((index) => this.streams.routes.filtersRecords(index));
    if (filtering !== undefined) return { forwarded: false, why: `parsed: the route of ${this.targetName(filtering)} reads its records (where)` };
    if (!this.definition.validate) return { forwarded: true, why: "forwarded as the tap wrote it (validate = false: nothing here reads its records)" };
    if (targets.length !== 1)
      return {
        forwarded: false,
        why: `parsed and validated here: it goes to ${targets.length} targets, and each would dead-letter an invalid record on its own`,
      };
    const target = targets[0] as number;
    if (this.validates[target] !== true)
      return {
        forwarded: false,
        why: `parsed and validated here: ${this.targetName(target)} does not say it validates records and dead-letters invalid ones (validate-records and dead-letter in its --about, validate_records not false)`,
      };
    return { forwarded: true, why: `forwarded as the tap wrote it: ${this.targetName(target)} validates each record and dead-letters an invalid one` };
  }

  private targetName(index: number): string {
    return this.definition.targets[index]?.name ?? `target ${index + 1}`;
  }
}
