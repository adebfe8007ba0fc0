import type { StreamSelectReport } from "../../catalogs/index.js";

/** What a stream or property is, in `agora select --list`. */
function status(selected: boolean, automatic: boolean): string {
  if (automatic && selected) return "automatic";
  return selected ? "selected" : "excluded";
}

/**
 * `agora select --list`: one row per stream and per property, with whether
 * it is synced and the rule that decided. Excluded streams and properties
 * only with `all`.
 */
export function selectTable(report: readonly StreamSelectReport[], all: boolean): string {
  const rows: string[][] = [["STREAM", "PROPERTY", "STATUS", "DECIDED BY"]];
  for (const stream of report) {
    if (!stream.decision.selected && !all) continue;
    rows.push([stream.stream, "", status(stream.decision.selected, false), stream.decision.by]);
    for (const [property, decision] of stream.properties) {
      const selected = decision.selected && stream.decision.selected;
      if (!selected && !all) continue;
      rows.push(["", property, status(selected, decision.automatic), stream.decision.selected ? decision.by : `stream: ${stream.decision.by}`]);
    }
  }
  if (rows.length === 1) return "nothing is selected (use --all to see what could be)\n";
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  return `${rows
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n")}\n`;
}
