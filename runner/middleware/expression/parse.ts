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
  return new ExpressionParser(source).parse();
}

/** One parse: the tokens, where it is in them, and a method per level of precedence. */
class ExpressionParser {
  private readonly tokens: Token[];
  private position = 0;

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  parse(): Node {
    const tree = this.or();
    if (this.peek().kind !== "end") throw expressionError(this.source, this.peek().at, "unexpected token");
    return tree;
  }

  private peek(): Token {
    return this.tokens[this.position] as Token;
  }

  private next(): Token {
    return this.tokens[this.position++] as Token;
  }

  private isOp(value: string): boolean {
    const token = this.peek();
    return token.kind === "op" && token.value === value;
  }

  private isName(value: string, ahead = 0): boolean {
    const token = this.tokens[this.position + ahead];
    return token?.kind === "name" && token.value === value;
  }

  private expect(value: string): void {
    if (!this.isOp(value)) throw expressionError(this.source, this.peek().at, `expected "${value}"`);
    this.position += 1;
  }

  /** Expressions separated by commas up to `close` (a list's items, a call's arguments). */
  private listUntil(close: string): Node[] {
    const items: Node[] = [];
    if (!this.isOp(close)) {
      items.push(this.or());
      while (this.isOp(",")) {
        this.position += 1;
        items.push(this.or());
      }
    }
    this.expect(close);
    return items;
  }

  private primary(): Node {
    const token = this.next();
    if (token.kind === "number" || token.kind === "string") return { kind: "literal", value: token.value };
    if (token.kind === "op" && token.value === "(") {
      const inner = this.or();
      this.expect(")");
      return inner;
    }
    if (token.kind === "op" && token.value === "[") return { kind: "list", items: this.listUntil("]") };
    if (token.kind === "name") return this.named(token.value, token.at);
    throw expressionError(this.source, token.at, token.kind === "end" ? "unexpected end" : "unexpected token");
  }

  /** A name: a keyword literal, a function call, or a field path (a.b.c). */
  private named(name: string, at: number): Node {
    if (Object.hasOwn(KEYWORD_LITERALS, name)) return { kind: "literal", value: KEYWORD_LITERALS[name] };
    if (this.isOp("(")) {
      if (!FUNCTIONS.has(name)) throw expressionError(this.source, at, `unknown function ${name}()`);
      this.position += 1;
      return { kind: "call", name, args: this.listUntil(")") };
    }
    const path = [name];
    while (this.isOp(".")) {
      this.position += 1;
      const part = this.next();
      if (part.kind !== "name") throw expressionError(this.source, part.at, "expected a field name after .");
      path.push(part.value);
    }
    return { kind: "field", path };
  }

  private unary(): Node {
    if (!this.isOp("-")) return this.primary();
    this.position += 1;
    return { kind: "unary", op: "-", operand: this.unary() };
  }

  private product(): Node {
    let left = this.unary();
    while (this.isOp("*") || this.isOp("/") || this.isOp("%"))
      left = { kind: "binary", op: (this.next() as { value: string }).value, left, right: this.unary() };
    return left;
  }

  private sum(): Node {
    let left = this.product();
    while (this.isOp("+") || this.isOp("-")) left = { kind: "binary", op: (this.next() as { value: string }).value, left, right: this.product() };
    return left;
  }

  private comparison(): Node {
    const left = this.sum();
    for (const op of ["==", "!=", "<=", ">=", "<", ">"]) {
      if (this.isOp(op)) {
        this.position += 1;
        return { kind: "binary", op, left, right: this.sum() };
      }
    }
    if (this.isName("in")) {
      this.position += 1;
      return { kind: "binary", op: "in", left, right: this.sum() };
    }
    if (this.isName("not") && this.isName("in", 1)) {
      this.position += 2;
      return { kind: "unary", op: "not", operand: { kind: "binary", op: "in", left, right: this.sum() } };
    }
    return left;
  }

  private not(): Node {
    if (!this.isName("not")) return this.comparison();
    this.position += 1;
    return { kind: "unary", op: "not", operand: this.not() };
  }

  private and(): Node {
    let left = this.not();
    while (this.isName("and")) {
      this.position += 1;
      left = { kind: "binary", op: "and", left, right: this.not() };
    }
    return left;
  }

  private or(): Node {
    let left = this.and();
    while (this.isName("or")) {
      this.position += 1;
      left = { kind: "binary", op: "or", left, right: this.and() };
    }
    return left;
  }
}
