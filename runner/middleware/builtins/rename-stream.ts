import { compileGlob, GlobError, isGlob, type Glob } from "../../../catalogs/index.js";
import { ConfigError } from "../../../protocol/index.js";
import type { Middleware } from "../types.js";
import { RunnerCodes } from "../../errors.js";

/**
 * `rename_stream`: targets see a stream under another name (its SCHEMA,
 * RECORDs and ACTIVATE_VERSIONs; bookmarks in STATE keep the tap's names, as
 * the tap reads them back). `from` may be a glob; `{stream}` in `to` is the
 * stream's name there (`to = "raw_{stream}"`). Steps after it, and target
 * routes, see the new name.
 */
export function renameStream(name: string, from: string, to: string): Middleware {
  if (isGlob(from) && !to.includes("{stream}")) {
    throw new ConfigError(
      RunnerCodes.MIDDLEWARE_INVALID,
      `${name}: from = "${from}" may match several streams, and to = "${to}" would give them all one name`,
      {
        hint: 'Put {stream} in `to` (to = "raw_{stream}"), or name one stream in `from`.',
      },
    );
  }
  let matches: Glob;
  try {
    matches = compileGlob(from);
  } catch (error) {
    if (!(error instanceof GlobError)) throw error;
    throw new ConfigError(RunnerCodes.MIDDLEWARE_INVALID, `${name}: from = ${JSON.stringify(from)}: ${error.message}`, {
      hint: "Write the range low to high ([a-z]), or name one stream.",
    });
  }
  return {
    name,
    renamesStream: true,
    transformSchema: (shape) => (matches.test(shape.stream) ? { ...shape, stream: to.replaceAll("{stream}", shape.stream) } : shape),
    transform: (record) => record,
    transformArrow: (table) => table,
  };
}
