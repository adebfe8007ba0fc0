import type { Middleware } from "../middleware/types.js";
import type { HeldLease } from "../ports.js";
import type { StateStore } from "../state/interfaces.js";
import type { LeaseFence } from "../state/lease-fence.js";
import type { RunEvents } from "./run-events.js";
import type { StopRequests } from "./stop-requests.js";
import type { Logger } from "../../protocol/index.js";

/** How a sync is run (runPipeline). */
export interface RunOptions {
  readonly store: StateStore;
  readonly logger: Logger;
  /** Built middleware for the pipeline's chain, in order (default: built from the definition). */
  readonly middleware?: readonly Middleware[];
  /** Stop requests (signals): the first stops the run the safe way, a second kills everything. */
  readonly stop?: StopRequests;
  /** Where the run publishes its progress, checkpoints, rejections and phases. */
  readonly events?: RunEvents;
  /** Ignore the saved checkpoint (the tap starts from the beginning); save the new one only if the run succeeds. */
  readonly fullRefresh?: boolean;
  /** Run the tap's --discover again instead of using the cached catalog. */
  readonly refreshCatalog?: boolean;
  /** The lease the run holds, and its fence: a lease found lost fails the run with LEASE_LOST. */
  readonly lease?: HeldLease;
  readonly fence?: LeaseFence;
}
