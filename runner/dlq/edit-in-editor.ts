import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseRecordJson, stringifyJson, UsageError } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";

/** The editor a user asked for ($VISUAL, then $EDITOR), else vi on a terminal; undefined when none can run. */
function chosenEditor(env: NodeJS.ProcessEnv): string | undefined {
  const named = env["VISUAL"]?.trim() || env["EDITOR"]?.trim();
  if (named) return named;
  return process.stdin.isTTY === true ? "vi" : undefined;
}

/**
 * Opens a record in the user's editor, as JSON (every digit as stored), and
 * reads back what was saved: the edited record, or undefined when the file
 * was saved unchanged. A file that no longer holds one JSON object is an
 * error that keeps it, so the edit is not lost.
 */
export function editInEditor(record: Record<string, unknown>, label: string, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> | undefined {
  const editor = chosenEditor(env);
  if (editor === undefined) {
    throw new UsageError(RunnerCodes.DLQ_EDIT_NO_EDITOR, "no editor to open the record in (VISUAL and EDITOR are unset, and this is not a terminal)", {
      hint: "Set EDITOR, or change fields with --set FIELD=VALUE and --unset FIELD.",
    });
  }
  const dir = mkdtempSync(join(tmpdir(), "agora-dlq-edit-"));
  const file = join(dir, `${label}.json`);
  const before = `${stringifyJson(record, 2)}\n`;
  writeFileSync(file, before, { mode: 0o600 });
  let keep = false;
  try {
    // Through the shell, as git does: EDITOR may carry arguments ("code --wait").
    const result = spawnSync("sh", ["-c", `${editor} "$1"`, "sh", file], { stdio: "inherit" });
    if (result.error !== undefined || result.status !== 0) {
      throw new UsageError(
        RunnerCodes.DLQ_EDIT_ABORTED,
        `the editor (${editor}) ${result.error === undefined ? `exited with ${result.status ?? result.signal}` : `did not start: ${result.error.message}`}; nothing was changed`,
        { hint: "Check EDITOR, or use --set FIELD=VALUE." },
      );
    }
    const after = readFileSync(file, "utf8");
    if (after === before) return undefined;
    let edited: unknown;
    try {
      edited = parseRecordJson(after);
    } catch (error) {
      edited = error;
    }
    if (typeof edited !== "object" || edited === null || Array.isArray(edited) || edited instanceof Error) {
      keep = true;
      const why = edited instanceof Error ? edited.message : "it is not an object";
      throw new UsageError(RunnerCodes.DLQ_EDIT_INVALID, `the edited record is not one JSON object (${why}); nothing was changed`, {
        where: { file },
        hint: "Your text is kept in that file: run the edit again and copy the fix over.",
      });
    }
    return edited as Record<string, unknown>;
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}
