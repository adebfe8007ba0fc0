import { readFileSync } from "node:fs";
import { ConfigError } from "../errors.js";
import { parseJson } from "../values/exact-json.js";
import { ProtocolCodes } from "../messages/codes.js";

/**
 * Reads a JSON file given on the command line, with errors that name the
 * flag and the file. With `exact`, a number a double would change comes back
 * as an ExactNumber (a --state's bookmark past 2^53 resumes where it says).
 */
export function readJsonFile(path: string, flag: string, options: { exact?: boolean } = {}): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "does not exist" : code === "EACCES" ? "is not readable" : `cannot be read (${code ?? String(error)})`;
    throw new ConfigError(ProtocolCodes.FILE_UNREADABLE, `the ${flag} file ${reason}`, {
      where: { file: path },
      hint: `Check the path given to ${flag}.`,
      cause: error,
    });
  }
  try {
    const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    return options.exact === true ? parseJson(json) : JSON.parse(json);
  } catch (error) {
    throw new ConfigError(ProtocolCodes.FILE_NOT_JSON, `the ${flag} file is not valid JSON (${error instanceof Error ? error.message : String(error)})`, {
      where: { file: path },
      hint: `Fix the JSON in ${path}.`,
      cause: error,
    });
  }
}
