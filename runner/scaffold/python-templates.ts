import { TAP, TAP_TEST } from "./python-tap-template.js";
import { TARGET, TARGET_TEST } from "./python-target-template.js";
import type { ScaffoldFiles, ScaffoldInput } from "./scaffold-types.js";

/*
 * A Python connector as `agora new … --lang python` writes it: one script on the standard
 * library alone, speaking Singer as the protocol's text says, with a unittest suite that runs
 * it as a process. It passes `agora test` as written; the author replaces the marked parts.
 */

/** The files of a Python tap or target. */
export function pythonFiles(input: ScaffoldInput): ScaffoldFiles {
  const module = input.name.replace(/[^A-Za-z0-9_]/g, "_");
  const fill = (text: string): string =>
    text
      .replaceAll("__NAME__", input.name)
      .replaceAll("__MODULE__", module)
      .replaceAll("__DESCRIPTION__", input.description)
      .replaceAll("__SETTINGS__", pythonLiteral(input.settings));
  return {
    [`${module}.py`]: { text: fill(input.kind === "tap" ? TAP : TARGET), executable: true },
    [`tests/test_${module}.py`]: { text: fill(input.kind === "tap" ? TAP_TEST : TARGET_TEST) },
  };
}

/** A JSON value as Python source (True, False, None). */
function pythonLiteral(value: unknown): string {
  return JSON.stringify(value, null, 4)
    .replace(/\n/g, "\n    ")
    .replace(/: true\b/g, ": True")
    .replace(/: false\b/g, ": False")
    .replace(/: null\b/g, ": None");
}
