import { get, pipelinePath } from "./api.js";
import { h, notice, table, time } from "./dom.js";

/** The checkpoint now (as the store holds it, numbers exact), and the last one each run saved. */
export async function checkpointView({ name }) {
  const { current, history } = await get(`${pipelinePath(name)}/checkpoint`);
  const now = current
    ? [
        h("dl", { class: "facts" }, h("dt", {}, "Saved"), h("dd", {}, time(current.updatedAt), ` (${current.updatedAt})`), h("dt", {}, "By run"), h("dd", {}, current.runId ?? "set by hand")),
        h("pre", { class: "state", id: "current-state" }, current.stateText),
      ]
    : notice("No checkpoint: the next run starts from the beginning.");
  const rows = history.map((entry) =>
    h("tr", {}, h("td", {}, entry.runId), h("td", {}, time(entry.savedAt)), h("td", {}, h("details", {}, h("summary", {}, "state"), h("pre", {}, entry.stateText)))),
  );
  return [
    h("h2", {}, "Current checkpoint"),
    now,
    h("h2", {}, "History"),
    history.length === 0 ? notice("No run has saved a checkpoint yet.") : table(["Run", "Saved", "Checkpoint"], rows),
  ];
}
