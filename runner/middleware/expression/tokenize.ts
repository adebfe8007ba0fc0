import { ConfigError } from "../../../protocol/index.js";
import { RunnerCodes } from "../../errors.js";

export type Token =
  | { readonly kind: "number"; readonly value: number; readonly at: number }
  | { readonly kind: "string"; readonly value: string; readonly at: number }
  | { readonly kind: "name"; readonly value: string; readonly at: number }
  | { readonly kind: "op"; readonly value: string; readonly at: number }
  | { readonly kind: "end"; readonly at: number };

const OPERATORS = ["==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%", "(", ")", "[", "]", ",", "."];

export function expressionError(source: string, at: number, message: string): ConfigError {
  return new ConfigError(RunnerCodes.EXPRESSION_INVALID, `${message} at position ${at + 1} of ${JSON.stringify(source)}`, {
    hint: "Expressions use fields, literals, == != < <= > >= in, and or not, + - * / %, and functions such as lower(), len(), coalesce().",
  });
}

/** Splits an expression into tokens. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < source.length) {
    const char = source[index] as string;
    if (/\s/.test(char)) {
      index += 1;
      continue;
    }
    if (/[0-9]/.test(char)) {
      const match = /^\d+(\.\d+)?([eE][-+]?\d+)?/.exec(source.slice(index)) as RegExpExecArray;
      tokens.push({ kind: "number", value: Number(match[0]), at: index });
      index += match[0].length;
      continue;
    }
    if (char === '"' || char === "'") {
      let value = "";
      let end = index + 1;
      while (end < source.length && source[end] !== char) {
        if (source[end] === "\\" && end + 1 < source.length) end += 1;
        value += source[end];
        end += 1;
      }
      if (end >= source.length) throw expressionError(source, index, "unterminated string");
      tokens.push({ kind: "string", value, at: index });
      index = end + 1;
      continue;
    }
    if (/[A-Za-z_]/.test(char)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(index)) as RegExpExecArray;
      tokens.push({ kind: "name", value: match[0], at: index });
      index += match[0].length;
      continue;
    }
    if (char === "`") {
      // A field name with any characters: `order id`
      const end = source.indexOf("`", index + 1);
      if (end === -1) throw expressionError(source, index, "unterminated `field name`");
      tokens.push({ kind: "name", value: source.slice(index + 1, end), at: index });
      index = end + 1;
      continue;
    }
    const operator = OPERATORS.find((candidate) => source.startsWith(candidate, index));
    if (operator === undefined) throw expressionError(source, index, `unexpected ${JSON.stringify(char)}`);
    tokens.push({ kind: "op", value: operator, at: index });
    index += operator.length;
  }
  tokens.push({ kind: "end", at: source.length });
  return tokens;
}
