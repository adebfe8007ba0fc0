import { DataError } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";

/**
 * agora's own way to end the process: Node's process.exit as it was before
 * any middleware module loaded. While a module is loaded, `process.exit`
 * itself is refused (refuseExitWhileLoaded), so agora's exits call this.
 */
export const exitProcess: (code?: number) => never = process.exit.bind(process);

let holders = 0;

function refusedExit(code?: number | string | null): never {
  throw new DataError(RunnerCodes.MIDDLEWARE_EXITED, `called process.exit(${code ?? ""}), which a middleware may not`, {
    hint: "Throw an error to reject the record, or return null to drop it.",
  });
}

/**
 * Refuses process.exit to the code of a middleware module, from its import
 * (top-level code, a top-level await) until the returned release is called:
 * the call throws MIDDLEWARE_EXITED where it was made, so it fails the
 * module's load, or the record it was transforming (also after an await),
 * instead of ending agora with its run left "running". Held once per
 * loaded module; process.exit is Node's own again when the last releases.
 */
export function refuseExitWhileLoaded(): () => void {
  holders += 1;
  process.exit = refusedExit as typeof process.exit;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holders -= 1;
    if (holders === 0) process.exit = exitProcess as typeof process.exit;
  };
}
