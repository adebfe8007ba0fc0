/**
 * Field access for records and schema property tables, whose keys are data:
 * a field named `__proto__` is set as an own property (never as the
 * object's prototype), and only own fields are read or tested, so
 * `constructor` or `toString` are fields like any other.
 */

/** Sets `field` as an own, enumerable property, whatever its name. */
export function setField<T>(target: Record<string, T>, field: string, value: T): void {
  if (field === "__proto__") Object.defineProperty(target, field, { value, enumerable: true, writable: true, configurable: true });
  else target[field] = value;
}

/** True if the record has `field` of its own. */
export function hasField(target: object, field: string): boolean {
  return Object.hasOwn(target, field);
}
