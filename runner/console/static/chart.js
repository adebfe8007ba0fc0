import { h, svg } from "./dom.js";

/**
 * A bar chart of one value per run, oldest on the left: each bar's title
 * names the run and its value; failed runs are red.
 */
export function barChart(title, points, format) {
  const width = 600;
  const height = 140;
  const left = 62;
  const bottom = 16;
  const max = Math.max(...points.map((point) => point.value), 0) || 1;
  const slot = (width - left) / Math.max(points.length, 1);
  const bars = points.map((point, index) => {
    const barHeight = (point.value / max) * (height - bottom - 8);
    return svg(
      "rect",
      {
        class: `bar ${point.status}`,
        x: left + index * slot + slot * 0.15,
        y: height - bottom - barHeight,
        width: Math.max(slot * 0.7, 1),
        height: Math.max(barHeight, point.value > 0 ? 1 : 0),
        "data-run": point.run,
      },
      svg("title", {}, `${point.label}: ${format(point.value)}`),
    );
  });
  const axis = [
    svg("text", { class: "axis", x: left - 6, y: 12, "text-anchor": "end" }, format(max)),
    svg("text", { class: "axis", x: left - 6, y: height - bottom, "text-anchor": "end" }, "0"),
    svg("line", { x1: left, x2: width, y1: height - bottom, y2: height - bottom, stroke: "#d0d5dd" }),
    points.length > 0 ? svg("text", { class: "axis", x: left, y: height - 2 }, points[0].label) : null,
    points.length > 1 ? svg("text", { class: "axis", x: width, y: height - 2, "text-anchor": "end" }, points.at(-1).label) : null,
  ].filter(Boolean);
  return h(
    "figure",
    { class: "chart", "aria-label": title },
    h("h3", {}, title),
    svg("svg", { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: "none", role: "img" }, ...axis, ...bars),
  );
}
