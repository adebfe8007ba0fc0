import { ConfigError } from "../../protocol/index.js";
import type { Middleware, Plane } from "./types.js";
import { RunnerCodes } from "../errors.js";

/** The planes a step works on. */
export function planesOf(step: Pick<Middleware, "transform" | "transformArrow">): Plane[] {
  return [...(step.transform === undefined ? [] : ["rows" as const]), ...(step.transformArrow === undefined ? [] : ["batches" as const])];
}

/** True when every step works on Arrow batches: a BATCH of Arrow files can then go through the chain as it is. */
export function chainWorksOnArrow(steps: readonly Pick<Middleware, "transform" | "transformArrow">[]): boolean {
  return steps.length > 0 && steps.every((step) => step.transformArrow !== undefined);
}

/**
 * Checks, before anything starts, that a chain works on one plane: steps
 * that work on rows only and steps that work on Arrow batches only cannot
 * be chained, as records would have to change plane between them. Throws a
 * ConfigError naming both kinds of step.
 */
export function checkChainPlanes(steps: readonly Middleware[]): void {
  const rowsOnly = steps.filter((step) => step.transformArrow === undefined);
  const arrowOnly = steps.filter((step) => step.transform === undefined);
  if (rowsOnly.length === 0 || arrowOnly.length === 0) return;
  const names = (list: readonly Middleware[]): string => list.map((step) => step.name).join(", ");
  throw new ConfigError(
    RunnerCodes.MIDDLEWARE_PLANES_MIXED,
    `the middleware chain mixes planes: ${names(arrowOnly)} work${arrowOnly.length === 1 ? "s" : ""} on Arrow batches only, ${names(rowsOnly)} on rows only`,
    {
      hint: "Chain steps of one plane: select, drop, rename, rename_stream, mask, hash and filter work on both; or give the Arrow-only module a row transform too.",
    },
  );
}
