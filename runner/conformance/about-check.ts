import { ABOUT_FORMS } from "../connector/about.js";
import { runCommandToEnd } from "../process/spawn-command.js";
import { fail, pass, skip, type CheckResult } from "./check-result.js";
import { howItEnded, ranASync } from "../connector/probe-mode.js";

/** What `--about` told: the capabilities, or undefined when the tap has no usable `--about`. */
export interface AboutOutcome {
  readonly result: CheckResult;
  readonly capabilities: readonly string[] | undefined;
}

function readAbout(stdout: string): { name: string; capabilities: string[] } | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return "not JSON";
  }
  const about = parsed as { name?: unknown; capabilities?: unknown };
  if (
    typeof about !== "object" ||
    about === null ||
    typeof about.name !== "string" ||
    !Array.isArray(about.capabilities) ||
    !about.capabilities.every((item) => typeof item === "string")
  ) {
    return 'JSON without a string "name" and a "capabilities" array of strings';
  }
  return { name: about.name, capabilities: about.capabilities as string[] };
}

/**
 * `--about` is not in the Singer spec: a tap that rejects it is skipped, not
 * failed. `--about --format json` is tried first (Meltano SDK taps print
 * text without it), then `--about` alone. A tap that answers with exit 0
 * but no usable JSON fails; one that ignored the flag and ran a sync is
 * skipped.
 */
export async function checkAbout(command: string, config: readonly string[], cwd: string, timeoutMs: number): Promise<AboutOutcome> {
  let rejected: string | undefined;
  let invalid: string | undefined;
  for (const flags of ABOUT_FORMS) {
    const captured = await runCommandToEnd(command, [...config, ...flags], { cwd, timeoutMs });
    // A command that cannot start at all is no tap: that fails, it is not a missing --about.
    if (captured.spawnError !== undefined) return { result: fail("about", howItEnded(captured)), capabilities: undefined };
    if (captured.exitCode !== 0) {
      rejected = `${flags.join(" ")}: ${howItEnded(captured)}`;
      continue;
    }
    if (ranASync(captured.stdout)) return { result: skip("about", `no --about: given ${flags.join(" ")} it ran a sync`), capabilities: undefined };
    const about = readAbout(captured.stdout);
    if (typeof about !== "string") {
      return { result: pass("about", `${about.name}; capabilities: ${about.capabilities.join(", ") || "none"}`), capabilities: about.capabilities };
    }
    invalid ??= `${flags.join(" ")} exited 0 but printed ${about}`;
  }
  if (invalid !== undefined) return { result: fail("about", invalid), capabilities: undefined };
  return { result: skip("about", `the tap has no --about (not part of the Singer spec); ${rejected ?? ""}`), capabilities: undefined };
}
