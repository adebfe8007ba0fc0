import { UsageError } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";

/**
 * Splits a command line into words the way a POSIX shell would quote them
 * (without expanding anything): 'single quotes' keep everything, "double
 * quotes" honour \" and \\, a backslash outside quotes escapes the next
 * character. `python3 "my tap.py" -c 'a b'` → [python3, my tap.py, -c, a b].
 */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let index = 0; index < command.length; index += 1) {
    const char = command[index] as string;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else if (char === "\\" && (command[index + 1] === '"' || command[index + 1] === "\\" || command[index + 1] === "$")) word += command[++index];
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === "\\" && index + 1 < command.length) {
      word += command[++index];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote !== undefined)
    throw new UsageError(RunnerCodes.COMMAND_UNTERMINATED_QUOTE, `unterminated ${quote} quote in command: ${command}`, { hint: "Close the quote." });
  if (inWord) words.push(word);
  return words;
}
