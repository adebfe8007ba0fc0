import { expressionError, tokenize, type Token } from "./tokenize.js";

export type Node =
  | { readonly kind: "literal"; readonly value: unknown }
  | { readonly kind: "field"; readonly path: readonly string[] }
  | { readonly kind: "list"; readonly items: readonly Node[] }
  | { readonly kind: "unary"; readonly op: "-" | "not"; readonly operand: Node }
  | { readonly kind: "binary"; readonly op: string; readonly left: Node; readonly right: Node }
  | { readonly kind: "call"; readonly name: string; readonly args: readonly Node[] };

export const FUNCTIONS = new Set([
  "lower",
  "upper",
  "trim",
  "len",
  "coalesce",
  "concat",
  "contains",
  "starts_with",
  "ends_with",
  "round",
  "is_null",
  "now",
  "string",
  "number",
]);

const KEYWORD_LITERALS: Record<string, unknown> = { true: true, false: false, null: null };

/**
 * Parses an expression such as `status == "paid" and total > 100` into a
 * tree, by recursive descent. Precedence, lowest first: or, and, not,
 * comparison (== != < <= > >= in), + -, * / %, unary minus.
 */
export function parseExpression(source: string): Node {
  const tokens = tokenize(source);
  let position = 0;
  const peek = (): Token => tokens[position] as Token;
  const next = (): Token => tokens[position++] as Token;
  const isOp = (value: string): boolean => peek().kind === "op" && (peek() as { value: string }).value === value;
  const isName = (value: string): boolean => peek().kind === "name" && (peek() as { value: string }).value === value;
  const expect = (value: string): void => {
    if (!isOp(value)) throw expressionError(source, peek().at, `expected "${value}"`);
    position += 1;
  };

  const primary = (): Node => {
    const token = next();
    if (token.kind === "number" || token.kind === "string") return { kind: "literal", value: token.value };
    if (token.kind === "op" && token.value === "(") {
      const inner = or();
      expect(")");
      return inner;
    }
    if (token.kind === "op" && token.value === "[") {
      const items: Node[] = [];
      if (!isOp("]")) {
        items.push(or());
        while (isOp(",")) {
          position += 1;
          items.push(or());
        }
      }
      expect("]");
      return { kind: "list", items };
    }
    if (token.kind === "name") {
      if (Object.hasOwn(KEYWORD_LITERALS, token.value)) return { kind: "literal", value: KEYWORD_LITERALS[token.value] };
      if (isOp("(")) {
        if (!FUNCTIONS.has(token.value)) throw expressionError(source, token.at, `unknown function ${token.value}()`);
        position += 1;
        const args: Node[] = [];
        if (!isOp(")")) {
          args.push(or());
          while (isOp(",")) {
            position += 1;
            args.push(or());
          }
        }
        expect(")");
        return { kind: "call", name: token.value, args };
      }
      const path = [token.value];
      while (isOp(".")) {
        position += 1;
        const part = next();
        if (part.kind !== "name") throw expressionError(source, part.at, "expected a field name after .");
        path.push(part.value);
      }
      return { kind: "field", path };
    }
    throw expressionError(source, token.at, token.kind === "end" ? "unexpected end" : "unexpected token");
  };
  const unary = (): Node => {
    if (!isOp("-")) return primary();
    position++;
    return { kind: "unary", op: "-", operand: unary() };
  };
  const product = (): Node => {
    let left = unary();
    while (isOp("*") || isOp("/") || isOp("%")) left = { kind: "binary", op: (next() as { value: string }).value, left, right: unary() };
    return left;
  };
  const sum = (): Node => {
    let left = product();
    while (isOp("+") || isOp("-")) left = { kind: "binary", op: (next() as { value: string }).value, left, right: product() };
    return left;
  };
  const comparison = (): Node => {
    const left = sum();
    for (const op of ["==", "!=", "<=", ">=", "<", ">"]) {
      if (isOp(op)) {
        position += 1;
        return { kind: "binary", op, left, right: sum() };
      }
    }
    if (isName("in")) {
      position += 1;
      return { kind: "binary", op: "in", left, right: sum() };
    }
    if (isName("not") && tokens[position + 1]?.kind === "name" && (tokens[position + 1] as { value: string }).value === "in") {
      position += 2;
      return { kind: "unary", op: "not", operand: { kind: "binary", op: "in", left, right: sum() } };
    }
    return left;
  };
  const not = (): Node => {
    if (!isName("not")) return comparison();
    position++;
    return { kind: "unary", op: "not", operand: not() };
  };
  const and = (): Node => {
    let left = not();
    while (isName("and")) {
      position += 1;
      left = { kind: "binary", op: "and", left, right: not() };
    }
    return left;
  };
  const or = (): Node => {
    let left = and();
    while (isName("or")) {
      position += 1;
      left = { kind: "binary", op: "or", left, right: and() };
    }
    return left;
  };

  const tree = or();
  if (peek().kind !== "end") throw expressionError(source, peek().at, "unexpected token");
  return tree;
}
