/** Column names from a header row: blanks become column_N, repeats get a _2, _3 suffix. */
export function columnNames(header: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return header.map((cell, index) => {
    const base = cell.trim() === "" ? `column_${index + 1}` : cell.trim();
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}_${count}`;
  });
}

/** Names for a file without a header: column_1 … column_N. */
export function generatedNames(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `column_${index + 1}`);
}

/** A header cell read under another name than its own: a repeat of an earlier one. */
export interface RenamedColumn {
  readonly header: string;
  /** 1-based. */
  readonly column: number;
  readonly name: string;
}

/** The columns whose header `columnNames` had to rename (repeats), for a warning: a user should know `name_2` is their second `name`. */
export function renamedColumns(header: readonly string[], names: readonly string[]): RenamedColumn[] {
  return header.flatMap((cell, index) =>
    cell.trim() !== "" && names[index] !== cell.trim() ? [{ header: cell.trim(), column: index + 1, name: names[index] as string }] : [],
  );
}
