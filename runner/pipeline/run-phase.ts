/** Where a run is: what it waits for. Decisions (which processes to kill when stuck) read the kind. */
export type RunPhase =
  /** Reading the tap's output. */
  | { readonly kind: "reading_tap" }
  /** Waiting for a target's full pipe to drain. */
  | { readonly kind: "writing_targets" }
  /** The tap's output ended (or it was stopped); waiting for it to exit. */
  | { readonly kind: "tap_exiting" }
  /** Input closed; waiting for the targets to write, confirm and exit. */
  | { readonly kind: "targets_finishing" };

/** The phase in words, for messages. */
export function describePhase(phase: RunPhase): string {
  switch (phase.kind) {
    case "reading_tap":
      return "the tap";
    case "writing_targets":
      return "a target to read its input";
    case "tap_exiting":
      return "the tap to exit";
    case "targets_finishing":
      return "the targets to finish";
  }
}
