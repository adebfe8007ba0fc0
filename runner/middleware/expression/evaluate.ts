import { compareNumbers, isExactNumber, numberFromDecimalText, stringifyJson } from "../../../protocol/index.js";
import { involvesExact, nearest, sameNumber, wholeArithmetic } from "./exact-operands.js";
import type { Node } from "./parse.js";

type Value = unknown;

function truthy(value: Value): boolean {
  return value !== null && value !== undefined && value !== false && value !== 0 && value !== "";
}

function compare(op: string, left: Value, right: Value): boolean {
  if (involvesExact(left, right)) return compareExact(op, left, right);
  if (op === "==") return left === right || (left == null && right == null);
  if (op === "!=") return !(left === right || (left == null && right == null));
  if (left === null || left === undefined || right === null || right === undefined) return false;
  const [a, b] =
    typeof left === "number" && typeof right === "string"
      ? [left, Number(right)]
      : typeof left === "string" && typeof right === "number"
        ? [Number(left), right]
        : [left, right];
  switch (op) {
    case "<":
      return (a as number) < (b as number);
    case "<=":
      return (a as number) <= (b as number);
    case ">":
      return (a as number) > (b as number);
    default:
      return (a as number) >= (b as number);
  }
}

/** A comparison where an operand is an ExactNumber (for an ordering, a string operand is read as a number, as with plain numbers). */
function compareExact(op: string, left: Value, right: Value): boolean {
  if (op === "==" || op === "!=") return sameNumber(left, right) === (op === "==");
  const asNumber = (value: Value): Value => (typeof value === "string" ? (numberFromDecimalText(value) ?? Number(value)) : value);
  const order = compareNumbers(asNumber(left), asNumber(right));
  if (order === undefined) return false;
  return op === "<" ? order < 0 : op === "<=" ? order <= 0 : op === ">" ? order > 0 : order >= 0;
}

function arithmetic(op: string, left: Value, right: Value): Value {
  if (op === "+" && (typeof left === "string" || typeof right === "string")) return `${String(left ?? "")}${String(right ?? "")}`;
  if (involvesExact(left, right)) return wholeArithmetic(op, left, right) ?? arithmetic(op, nearest(left) ?? left, nearest(right) ?? right);
  if (typeof left !== "number" || typeof right !== "number") return null;
  switch (op) {
    case "+":
      return left + right;
    case "-":
      return left - right;
    case "*":
      return left * right;
    case "/":
      return right === 0 ? null : left / right;
    default:
      return right === 0 ? null : left % right;
  }
}

function call(name: string, args: Value[]): Value {
  const [first, second] = args;
  switch (name) {
    case "lower":
      return typeof first === "string" ? first.toLowerCase() : first;
    case "upper":
      return typeof first === "string" ? first.toUpperCase() : first;
    case "trim":
      return typeof first === "string" ? first.trim() : first;
    case "len":
      return typeof first === "string" || Array.isArray(first) ? first.length : first === null || first === undefined ? 0 : Object.keys(first).length;
    case "coalesce":
      return args.find((value) => value !== null && value !== undefined) ?? null;
    case "concat":
      return args.map((value) => (value === null || value === undefined ? "" : typeof value === "object" ? stringifyJson(value) : String(value))).join("");
    case "contains":
      return typeof first === "string" ? first.includes(String(second)) : Array.isArray(first) ? first.includes(second) : false;
    case "starts_with":
      return typeof first === "string" && first.startsWith(String(second));
    case "ends_with":
      return typeof first === "string" && first.endsWith(String(second));
    case "round": {
      const number = isExactNumber(first) ? first.toNumber() : first;
      if (typeof number !== "number") return null;
      const factor = 10 ** (typeof second === "number" ? second : 0);
      return Math.round(number * factor) / factor;
    }
    case "is_null":
      return first === null || first === undefined;
    case "now":
      return new Date().toISOString();
    case "string":
      return first === null || first === undefined ? null : typeof first === "object" && !isExactNumber(first) ? stringifyJson(first) : String(first);
    default: {
      if (isExactNumber(first)) return first;
      const number = Number(first);
      return first === null || first === "" || Number.isNaN(number) ? null : number;
    }
  }
}

/** Evaluates a parsed expression against one record. Missing fields are null; nothing can throw. */
export function evaluate(node: Node, record: Readonly<Record<string, unknown>>): Value {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "field": {
      let value: Value = record;
      // Own properties only: a field named constructor or __proto__ is the record's, never Object.prototype's.
      for (const part of node.path)
        value = typeof value === "object" && value !== null && Object.hasOwn(value, part) ? (value as Record<string, unknown>)[part] : undefined;
      return value === undefined ? null : value;
    }
    case "list":
      return node.items.map((item) => evaluate(item, record));
    case "unary":
      if (node.op === "not") return !truthy(evaluate(node.operand, record));
      return arithmetic("-", 0, evaluate(node.operand, record));
    case "call":
      return call(
        node.name,
        node.args.map((arg) => evaluate(arg, record)),
      );
    case "binary": {
      if (node.op === "and") return truthy(evaluate(node.left, record)) && truthy(evaluate(node.right, record));
      if (node.op === "or") return truthy(evaluate(node.left, record)) || truthy(evaluate(node.right, record));
      const left = evaluate(node.left, record);
      const right = evaluate(node.right, record);
      if (node.op === "in")
        return Array.isArray(right) ? right.includes(left) : typeof right === "string" && typeof left === "string" ? right.includes(left) : false;
      if (["==", "!=", "<", "<=", ">", ">="].includes(node.op)) return compare(node.op, left, right);
      return arithmetic(node.op, left, right);
    }
  }
}

export { truthy };
