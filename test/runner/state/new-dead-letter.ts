import type { NewDeadLetter } from "../../../runner/state/types.js";

/** A dead letter of pipeline p, run r1, stream orders, rejected at validation: the store contracts' default, changed by `overrides`. */
export function newDeadLetter(overrides: Partial<NewDeadLetter> = {}): NewDeadLetter {
  return {
    pipeline: "p",
    runId: "r1",
    stream: "orders",
    stage: "validate",
    errorCode: "RECORD_INVALID",
    errorMessage: "bad",
    original: { id: 1 },
    ...overrides,
  };
}
