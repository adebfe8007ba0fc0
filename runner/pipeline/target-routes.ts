import { compileGlob, type Glob } from "../../catalogs/index.js";
import { evaluate, truthy } from "../middleware/expression/evaluate.js";
import { parseExpression, type Node } from "../middleware/expression/parse.js";
import type { RecordValue } from "../middleware/types.js";
import type { TargetRoute } from "../definition.js";

interface CompiledRoute {
  readonly streams: readonly Glob[] | undefined;
  readonly where: Node | undefined;
}

/**
 * Which targets receive what (the seeds' route()): a target without a route
 * gets everything; one with `streams` gets only those streams' messages,
 * one with `where` only the records the expression holds for. STATEs are not
 * routed: every target gets every one, so the checkpoint stays what all of
 * them confirmed. `undefined` from a lookup means "every target".
 */
export class TargetRoutes {
  private readonly routes: ReadonlyArray<CompiledRoute | undefined>;
  private readonly byStream = new Map<string, readonly number[] | undefined>();
  /** True if some target is routed a part only. */
  readonly any: boolean;

  constructor(routes: ReadonlyArray<TargetRoute | undefined>) {
    this.routes = routes.map((route) =>
      route === undefined
        ? undefined
        : { streams: route.streams?.map((pattern) => compileGlob(pattern)), where: route.where === undefined ? undefined : parseExpression(route.where) },
    );
    this.any = this.routes.some((route) => route !== undefined);
  }

  /** The targets that receive a stream's SCHEMA, RECORDs and ACTIVATE_VERSIONs (by the name targets see). */
  forStream(stream: string): readonly number[] | undefined {
    if (!this.any) return undefined;
    if (this.byStream.has(stream)) return this.byStream.get(stream);
    const indexes: number[] = [];
    this.routes.forEach((route, index) => {
      if (route?.streams === undefined || route.streams.some((pattern) => pattern.test(stream))) indexes.push(index);
    });
    const result = indexes.length === this.routes.length ? undefined : indexes;
    this.byStream.set(stream, result);
    return result;
  }

  /** True if `target` is routed by a `where` expression: it must see each record to be filtered. */
  filtersRecords(target: number): boolean {
    return this.routes[target]?.where !== undefined;
  }

  /** The targets that receive this record (its stream's targets, less those whose `where` it fails). */
  forRecord(stream: string, record: RecordValue): readonly number[] | undefined {
    const targets = this.forStream(stream);
    if (!this.any) return targets;
    const candidates = targets ?? this.routes.map((_, index) => index);
    let kept: number[] | undefined;
    candidates.forEach((index, position) => {
      const where = this.routes[index]?.where;
      const passes = where === undefined || truthy(evaluate(where, record));
      if (!passes && kept === undefined) kept = candidates.slice(0, position);
      else if (passes && kept !== undefined) kept.push(index);
    });
    return kept ?? targets;
  }
}
