import { get } from "./api.js";
import { badge, h, notice, number, table, time } from "./dom.js";

function pipelineHref(name) {
  return `#/p/${encodeURIComponent(name)}/runs`;
}

function lastRun(run) {
  if (!run) return "never";
  return h("span", {}, badge(run.status), " ", time(run.endedAt ?? run.startedAt));
}

/** Every pipeline: its schedule, the worker's state of it, the last run, when it is due, who holds it, how old its checkpoint is. */
export async function pipelinesView() {
  const pipelines = await get("/api/pipelines");
  if (pipelines.length === 0) return [h("h1", {}, "Pipelines"), notice("No pipelines yet: add one to pipelines.toml, or run one with agora run.")];
  const rows = pipelines.map((row) =>
    h(
      "tr",
      { "data-pipeline": row.pipeline },
      h("td", {}, h("a", { href: pipelineHref(row.pipeline) }, row.pipeline), row.inProject ? "" : h("span", { class: "muted" }, " (ad hoc)")),
      h("td", {}, row.schedule),
      h("td", {}, row.state === null ? h("span", { class: "muted" }, "no worker here") : badge(row.state), row.consecutiveErrors ? ` ${row.consecutiveErrors} failed in a row` : ""),
      h("td", {}, lastRun(row.lastRun)),
      h("td", {}, time(row.nextRun)),
      h("td", {}, row.heldBy ?? h("span", { class: "muted" }, "free")),
      h("td", {}, row.checkpointAt ? time(row.checkpointAt) : h("span", { class: "muted" }, "none")),
      h("td", { class: "num" }, row.pendingDeadLetters > 0 ? h("a", { href: `#/p/${encodeURIComponent(row.pipeline)}/dlq` }, number(row.pendingDeadLetters)) : "0"),
    ),
  );
  return [
    h("h1", {}, "Pipelines"),
    table(["Pipeline", "Schedule", "State", "Last run", "Next run", "Lease held by", "Checkpoint saved", h("th", { class: "num" }, "Pending dead letters")], rows),
  ];
}
