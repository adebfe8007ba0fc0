import { FatalError } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";

/** The lease a run's writes stand on: the pipeline's, held by `holder` when the run began. */
export interface LeaseFence {
  readonly pipeline: string;
  readonly holder: string;
}

/**
 * The error of a write refused because the pipeline's lease has moved on
 * (this process was paused past it, and another took the pipeline over):
 * the run stops without touching what the other one wrote.
 */
export function leaseLostError(fence: LeaseFence, holderNow: string | undefined): FatalError {
  return new FatalError(
    RunnerCodes.LEASE_LOST,
    `this run lost the pipeline's lease ${holderNow === undefined ? "(it ran out, or another process took it)" : `to ${holderNow}`}: nothing more of it is saved`,
    {
      where: { pipeline: fence.pipeline },
      hint: "The process was paused or cut off past lease_seconds (a stopped terminal job, a frozen VM or database); what the other run saved stands. Raise lease_seconds if pauses this long are expected.",
    },
  );
}
