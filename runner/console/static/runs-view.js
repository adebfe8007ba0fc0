import { get, pipelinePath } from "./api.js";
import { barChart } from "./chart.js";
import { badge, duration, h, notice, number, table, time } from "./dom.js";

const PAGE = 50;

/** What an error's kind means for the pipeline. */
const KINDS = {
  config: "a configuration problem: fix it; a worker stops scheduling the pipeline",
  usage: "a command used wrongly: fix the command or the project",
  transient: "a passing failure (network, lock, busy): the worker retries with backoff",
  data: "bad data: the records are in the dead-letter queue or the source must be fixed",
  protocol: "a connector broke the Singer protocol: fix or upgrade the connector",
  fatal: "the run could not go on: read the message",
};

const sum = (progress, field) => Object.values(progress ?? {}).reduce((total, stream) => total + (stream[field] ?? 0), 0);
const seconds = (run) => ((run.endedAt ? Date.parse(run.endedAt) : Date.now()) - Date.parse(run.startedAt)) / 1000;

function streamsTable(run) {
  const rows = Object.entries(run.progress ?? {})
    .sort(([, left], [, right]) => right.read - left.read)
    .map(([stream, progress]) =>
      h(
        "tr",
        { "data-stream": stream },
        h("td", {}, stream),
        h("td", { class: "num" }, number(progress.read)),
        h("td", { class: "num" }, number(progress.written)),
        h("td", { class: "num" }, number(progress.deadLettered)),
        h("td", { class: "num" }, number(progress.unconfirmed ?? 0)),
        h("td", {}, progress.sourceStatus ?? ""),
      ),
    );
  const headers = ["Stream", "Read", "Written", "Dead-lettered", "Unconfirmed", "Source said"].map((text, index) =>
    h("th", { class: index > 0 && index < 5 ? "num" : "" }, text),
  );
  return table(headers, rows);
}

function targetsTable(run) {
  if (!run.targets || run.targets.length === 0) return null;
  const rows = run.targets.map((target) =>
    h("tr", {}, h("td", {}, target.target), ...[target.sent, target.written, target.rejected, target.unconfirmed].map((value) => h("td", { class: "num" }, number(value)))),
  );
  return [h("h2", {}, "Targets"), table(["Target", "Sent", "Written", "Rejected", "Unconfirmed"].map((text, index) => h("th", { class: index > 0 ? "num" : "" }, text)), rows)];
}

function runDetail(run) {
  const failure =
    run.error === undefined || run.error === null
      ? null
      : h(
          "div",
          { class: "notice error failure" },
          h("strong", {}, `${run.errorCode ?? "ERROR"} (${run.errorKind ?? "fatal"}): `),
          run.error,
          h("div", { class: "muted" }, KINDS[run.errorKind] ?? ""),
        );
  return h("td", { colspan: 8 }, failure, streamsTable(run), targetsTable(run));
}

function runRow(run, tbody) {
  const row = h(
    "tr",
    { class: "clickable", "data-run": run.id, title: "per-stream counts" },
    h("td", {}, time(run.startedAt)),
    h("td", { class: "num" }, duration(seconds(run))),
    h("td", {}, badge(run.status)),
    h("td", { class: "num" }, number(sum(run.progress, "read"))),
    h("td", { class: "num" }, number(sum(run.progress, "written"))),
    h("td", { class: "num" }, number(run.deadLettered)),
    h("td", { class: "num" }, number(sum(run.progress, "unconfirmed"))),
    h("td", {}, run.error ? h("span", { class: "error" }, run.errorCode ?? "failed") : ""),
  );
  row.addEventListener("click", () => {
    const open = row.nextElementSibling?.classList.contains("detail");
    if (open) row.nextElementSibling.remove();
    else row.after(h("tr", { class: "detail" }, runDetail(run)));
  });
  tbody.append(row);
}

function liveBanner(name, live) {
  const banner = h("div", { class: "notice", id: "live-progress", hidden: !live.has(name) });
  const show = (data) => {
    const top = Object.entries(data.read).sort(([, a], [, b]) => b - a).slice(0, 5);
    banner.hidden = false;
    banner.replaceChildren(h("strong", {}, "Running: "), `${number(data.total)} records read`, top.length > 0 ? ` (${top.map(([stream, count]) => `${stream} ${number(count)}`).join(", ")})` : "");
  };
  if (live.has(name)) show(live.get(name));
  const listener = (event) => {
    if (!banner.isConnected) return document.removeEventListener("agora-progress", listener);
    if (event.detail.pipeline === name) show(event.detail);
  };
  document.addEventListener("agora-progress", listener);
  return banner;
}

/** A pipeline's runs, a page at a time: records/s and duration per run as charts, each run's counts and failure on a click. */
export async function runsView({ name, query, live }) {
  const offset = Number(query.get("offset") ?? 0) || 0;
  const page = await get(`${pipelinePath(name)}/runs?offset=${offset}&limit=${PAGE}`);
  if (page.total === 0) return [liveBanner(name, live), notice("No runs yet.")];
  const oldestFirst = [...page.runs].reverse();
  const point = (run, value) => ({ run: run.id, label: new Date(run.startedAt).toLocaleString(), value, status: run.status });
  const charts = h(
    "div",
    { class: "charts" },
    barChart("Records read per second", oldestFirst.map((run) => point(run, sum(run.progress, "read") / Math.max(seconds(run), 0.001))), (value) => `${number(Math.round(value))}/s`),
    barChart("Duration", oldestFirst.map((run) => point(run, seconds(run))), duration),
  );
  const tbody = h("tbody", {});
  for (const run of page.runs) runRow(run, tbody);
  const headers = ["Started", "Duration", "Status", "Read", "Written", "Dead-lettered", "Unconfirmed", "Failure"].map((text, index) =>
    h("th", { class: [1, 3, 4, 5, 6].includes(index) ? "num" : "" }, text),
  );
  const link = (to, label, enabled) => (enabled ? h("a", { href: `#/p/${encodeURIComponent(name)}/runs?offset=${to}` }, label) : h("span", { class: "muted" }, label));
  const pager = h(
    "div",
    { class: "pager" },
    link(Math.max(0, offset - PAGE), "← Newer", offset > 0),
    h("span", {}, `runs ${number(offset + 1)}–${number(offset + page.runs.length)} of ${number(page.total)}`),
    link(offset + PAGE, "Older →", offset + PAGE < page.total),
  );
  return [liveBanner(name, live), charts, h("table", { class: "runs" }, h("thead", {}, h("tr", {}, headers)), tbody), pager];
}
