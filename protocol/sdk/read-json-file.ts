import { readFileSync } from "node:fs";
import { ConfigError } from "../errors.js";

/** Reads a JSON file given on the command line, with errors that name the flag and the file. */
export function readJsonFile(path: string, flag: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "does not exist" : code === "EACCES" ? "is not readable" : `cannot be read (${code ?? String(error)})`;
    throw new ConfigError("FILE_UNREADABLE", `the ${flag} file ${reason}`, {
      where: { file: path },
      hint: `Check the path given to ${flag}.`,
      cause: error,
    });
  }
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new ConfigError("FILE_NOT_JSON", `the ${flag} file is not valid JSON (${error instanceof Error ? error.message : String(error)})`, {
      where: { file: path },
      hint: `Fix the JSON in ${path}.`,
      cause: error,
    });
  }
}
