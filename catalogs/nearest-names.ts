/** Edit distance (insertions, deletions, substitutions), case-insensitive: "Orders" is one step from "orders". */
function distance(left: string, right: string): number {
  const a = left.toLowerCase();
  const b = right.toLowerCase();
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost));
    }
    previous = current;
  }
  const caseOnly = left !== right && a === b;
  // A difference of case alone is the closest miss there is, but still a miss.
  return caseOnly ? 0.5 : (previous[b.length] as number);
}

/**
 * The names closest to `wanted`, for "did you mean" hints: those within a
 * third of its length (at least 2 edits) or that begin with it, nearest
 * first, at most `limit`.
 * Empty when nothing is close.
 */
export function nearestNames(wanted: string, names: Iterable<string>, limit = 3): string[] {
  const bound = Math.max(2, Math.floor(wanted.length / 3));
  return (
    [...new Set(names)]
      .map((name) => ({ name, distance: distance(wanted, name) }))
      // Close in spelling, or one begins the other ("updated" for "updated_at").
      .filter(
        (entry) =>
          entry.distance <= bound ||
          (wanted.length >= 3 && (entry.name.toLowerCase().startsWith(wanted.toLowerCase()) || wanted.toLowerCase().startsWith(entry.name.toLowerCase()))),
      )
      .sort((left, right) => left.distance - right.distance || left.name.localeCompare(right.name))
      .slice(0, limit)
      .map((entry) => entry.name)
  );
}

/** "did you mean "a" or "b"?" when something is close, else "its streams: ..." (the first `limit` of `names`). */
export function suggestNames(wanted: string, names: readonly string[], plural: string, limit = 12): string {
  const near = nearestNames(wanted, names);
  if (near.length > 0) return `did you mean ${near.map((name) => JSON.stringify(name)).join(" or ")}?`;
  if (names.length === 0) return `it has no ${plural}`;
  const shown = names.slice(0, limit).map((name) => JSON.stringify(name));
  return `its ${plural}: ${shown.join(", ")}${names.length > limit ? `, and ${names.length - limit} more` : ""}`;
}
