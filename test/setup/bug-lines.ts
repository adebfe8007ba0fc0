import { afterEach } from "vitest";
import { takeBugLines } from "../helpers/processes.js";

/*
 * Run before every test file (vitest's setupFiles): a test fails when a
 * process it ran through the helpers (test/helpers/processes.ts, project.ts)
 * said "looks like a bug". That phrase is for our own bugs: bad input a
 * test feeds agora or a connector must get a line that names it instead.
 */
afterEach(() => {
  const said = takeBugLines();
  if (said.length > 0)
    throw new Error(`a process run by this test said "looks like a bug" (fix the bug, or give that input an error of its own):\n${said.join("\n")}`);
});
