import { exitCodeForSignal } from "../../protocol/index.js";
import { exitProcess } from "../process/exit-guard.js";

/** After a second signal, how long the run gets to kill its connectors and record itself before the process exits. */
const SECOND_SIGNAL_GRACE_MS = 3000;

/**
 * Stop requests for a run, from signals: the first asks for a safe stop
 * (the tap is told to stop, targets finish and confirm), a second one
 * asks to kill everything now.
 */
export class StopRequests {
  private readonly listeners = new Set<(signal: NodeJS.Signals) => void>();
  private readonly received: NodeJS.Signals[] = [];

  request(signal: NodeJS.Signals): void {
    this.received.push(signal);
    for (const listener of this.listeners) listener(signal);
  }

  /** Calls `listener` for every request, including ones made before subscribing. */
  subscribe(listener: (signal: NodeJS.Signals) => void): () => void {
    this.listeners.add(listener);
    for (const signal of this.received) listener(signal);
    return () => this.listeners.delete(listener);
  }

  /**
   * Routes SIGINT and SIGTERM of this process here, until the returned
   * function is called. The second one also ends the process within a few
   * seconds whatever is still waiting (a middleware that never settles): a
   * second Ctrl-C always exits.
   */
  static fromProcessSignals(): { requests: StopRequests; release: () => void } {
    const requests = new StopRequests();
    const onSignal = (signal: NodeJS.Signals): void => {
      requests.request(signal);
      if (requests.received.length === 2) setTimeout(() => exitProcess(exitCodeForSignal(signal)), SECOND_SIGNAL_GRACE_MS).unref();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    return {
      requests,
      release: () => {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      },
    };
  }
}
