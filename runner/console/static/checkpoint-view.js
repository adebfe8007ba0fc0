import { get, pipelinePath } from "./api.js";
import { h, notice, number, table, time } from "./dom.js";

/** The checkpoint now (as the store holds it, numbers exact), and the last one each run saved. */
export async function checkpointView({ name }) {
  const { current, history } = await get(`${pipelinePath(name)}/checkpoint`);
  const now = current
    ? [
        h("dl", { class: "facts" }, h("dt", {}, "Saved"), h("dd", {}, time(current.updatedAt), ` (${current.updatedAt})`), h("dt", {}, "By run"), h("dd", {}, current.runId ?? "set by hand")),
        h("pre", { class: "state", id: "current-state" }, current.stateText),
      ]
    : notice("No checkpoint: the next run starts from the beginning.");
  const shown = (entry) =>
    entry.stateText === null
      ? h("span", { class: "muted" }, `${number(entry.bytes)} bytes: only the newest runs' checkpoints of up to 64 KiB are kept`)
      : h("details", {}, h("summary", {}, `${number(entry.bytes)} bytes`), h("pre", {}, entry.stateText));
  const rows = history.map((entry) => h("tr", { "data-run": entry.runId }, h("td", {}, entry.runId), h("td", {}, time(entry.savedAt)), h("td", {}, shown(entry))));
  return [
    h("h2", {}, "Current checkpoint"),
    now,
    h("h2", {}, "History"),
    history.length === 0 ? notice("No run has saved a checkpoint yet.") : table(["Run", "Saved", "Checkpoint"], rows),
  ];
}
