import { parseJson, UsageError } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";

/** One change to a dead letter's record, as `--set` and `--unset` give it. */
export type FieldEdit = { readonly path: readonly string[]; readonly value: unknown } | { readonly path: readonly string[]; readonly unset: true };

function pathOf(text: string, option: string): string[] {
  const path = text.split(".");
  if (path.some((part) => part === "")) {
    throw new UsageError(RunnerCodes.DLQ_EDIT_INVALID, `${option} ${JSON.stringify(text)} names no field (an empty name between dots)`, {
      hint: "Name the field as `name`, or `address.city` inside an object.",
    });
  }
  return path;
}

/**
 * `--set FIELD=VALUE`: the value is JSON when it reads as JSON (numbers keep
 * every digit: `amount=1234567890123456.78`, `tags=["a"]`, `note=null`),
 * else the text as a string (`name=Ann`); `name="007"` forces a string.
 */
export function parseSet(text: string): FieldEdit {
  const at = text.indexOf("=");
  if (at <= 0)
    throw new UsageError(RunnerCodes.DLQ_EDIT_INVALID, `--set ${JSON.stringify(text)} has no FIELD=VALUE`, {
      hint: "Write --set amount=12.50, or --set 'name=\"007\"' for a text that looks like a number.",
    });
  const valueText = text.slice(at + 1);
  let value: unknown;
  try {
    value = parseJson(valueText);
  } catch {
    value = valueText;
  }
  return { path: pathOf(text.slice(0, at), "--set"), value };
}

export function parseUnset(text: string): FieldEdit {
  return { path: pathOf(text, "--unset"), unset: true };
}

/** An object keyed by data: a field named `__proto__` or `constructor` is a field like any other. */
function dataObject(from: Record<string, unknown>): Record<string, unknown> {
  return Object.assign(Object.create(null) as Record<string, unknown>, from);
}

/** The record with the edits applied, in order (the record given is not changed). */
export function applyEdits(record: Record<string, unknown>, edits: readonly FieldEdit[]): Record<string, unknown> {
  const result = dataObject(record);
  for (const edit of edits) {
    let parent = result;
    for (const [index, part] of edit.path.slice(0, -1).entries()) {
      const child = Object.hasOwn(parent, part) ? parent[part] : undefined;
      if (child !== undefined && (typeof child !== "object" || child === null || Array.isArray(child))) {
        throw new UsageError(RunnerCodes.DLQ_EDIT_INVALID, `cannot set ${edit.path.join(".")}: ${edit.path.slice(0, index + 1).join(".")} is not an object`, {
          hint: "Set the whole value instead: --set NAME='{...}'.",
        });
      }
      const copy = dataObject((child ?? {}) as Record<string, unknown>);
      parent[part] = copy;
      parent = copy;
    }
    const last = edit.path.at(-1) as string;
    if ("unset" in edit) delete parent[last];
    else parent[last] = edit.value;
  }
  return result;
}

/** What an edit did, for the dead letter's history: `set amount, unset note`. */
export function describeEdits(edits: readonly FieldEdit[]): string {
  return edits.map((edit) => `${"unset" in edit ? "unset" : "set"} ${edit.path.join(".")}`).join(", ");
}
