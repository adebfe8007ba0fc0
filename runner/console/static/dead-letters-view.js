import { get, pipelinePath, post } from "./api.js";
import { badge, h, notice, number, table, time } from "./dom.js";

const PAGE = 50;
const STAGES = ["source", "validate", "middleware", "sink_write"];

function select(name, label, values, chosen) {
  return h(
    "label",
    {},
    `${label} `,
    h("select", { name }, h("option", { value: "" }, "any"), values.map((value) => h("option", { value, selected: value === chosen }, value))),
  );
}

function filters(name, query, groups) {
  const distinct = (field) => [...new Set(groups.map((group) => group[field]))].sort();
  const form = h(
    "form",
    { class: "toolbar", id: "dlq-filters" },
    select("stream", "Stream", distinct("stream"), query.get("stream")),
    select("stage", "Stage", STAGES, query.get("stage")),
    select("code", "Error", distinct("errorCode"), query.get("code")),
    h(
      "label",
      {},
      "Status ",
      h("select", { name: "status" }, ["pending", "done", "all"].map((value) => h("option", { value, selected: value === (query.get("status") ?? "pending") }, value))),
    ),
  );
  form.addEventListener("change", () => {
    const chosen = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (value !== "") chosen.set(key, value);
    location.hash = `#/p/${encodeURIComponent(name)}/dlq?${chosen}`;
  });
  return form;
}

/** The last action's outcome: drawn again when the page is (the action itself makes it refresh), for a while. */
let lastOutcome;
const OUTCOME_SHOWN_MS = 15_000;

function outcome(text, kind = "") {
  lastOutcome = { text, kind, until: Date.now() + OUTCOME_SHOWN_MS };
  document.getElementById("dlq-outcome")?.replaceChildren(notice(text, kind));
}

function outcomePlace() {
  const shown = lastOutcome !== undefined && lastOutcome.until > Date.now() ? notice(lastOutcome.text, lastOutcome.kind) : "";
  return h("div", { id: "dlq-outcome" }, shown);
}

async function act(run) {
  try {
    const answer = await run();
    outcome(answer.line ?? "done");
    return answer;
  } catch (error) {
    outcome(`${error.message}${error.hint ? ` ${error.hint}` : ""}`, "error");
    return undefined;
  }
}

function actions(name, session, selected, rerender) {
  if (session.readOnly) return h("p", { class: "muted" }, "Read-only console: replay, edit and purge with the CLI.");
  const ids = () => [...selected];
  const replay = (mode) => act(() => post(`${pipelinePath(name)}/replay`, { ids: ids(), mode })).then(rerender);
  const purge = (body, question) => {
    if (confirm(question)) act(() => post(`${pipelinePath(name)}/purge`, body)).then(rerender);
  };
  const needsSelection = (button) => {
    button.disabled = selected.size === 0;
    document.addEventListener("agora-selection", () => (button.disabled = selected.size === 0));
    return button;
  };
  return h(
    "div",
    { class: "toolbar" },
    needsSelection(h("button", { class: "primary", id: "replay-full", onclick: () => replay("full") }, "Replay selected")),
    needsSelection(h("button", { id: "replay-sink", onclick: () => replay("sink"), title: "straight to the targets, without middleware" }, "Replay selected (targets only)")),
    needsSelection(h("button", { class: "danger", id: "purge-selected", onclick: () => purge({ ids: ids() }, `Delete ${selected.size} dead letter(s)?`) }, "Purge selected")),
    h("button", { class: "danger", id: "purge-done", onclick: () => purge({ status: "done" }, "Delete every replayed (done) dead letter?") }, "Purge all done"),
  );
}

/** The dead-letter queue: filtered by stream, stage, error and status, a page at a time; selected letters replayed or purged. */
export async function deadLettersView({ name, query, session, rerender }) {
  const offset = Number(query.get("offset") ?? 0) || 0;
  const search = new URLSearchParams(query);
  search.set("offset", String(offset));
  search.set("limit", String(PAGE));
  const page = await get(`${pipelinePath(name)}/dead-letters?${search}`);
  const selected = new Set();
  const rows = page.letters.map((letter) => {
    const box = h("input", { type: "checkbox", "aria-label": `select ${letter.id}`, value: letter.id });
    box.addEventListener("change", () => {
      if (box.checked) selected.add(letter.id);
      else selected.delete(letter.id);
      document.dispatchEvent(new Event("agora-selection"));
    });
    return h(
      "tr",
      { "data-letter": letter.id },
      h("td", {}, letter.status === "pending" && !session.readOnly ? box : ""),
      h("td", {}, h("a", { href: `#/p/${encodeURIComponent(name)}/dlq/${letter.id}` }, `#${letter.id}`)),
      h("td", {}, letter.stream),
      h("td", {}, letter.stage),
      h("td", {}, h("code", {}, letter.errorCode)),
      h("td", {}, letter.latest),
      h("td", { class: "num" }, number(letter.attempts)),
      h("td", {}, badge(letter.status)),
      h("td", {}, time(letter.createdAt)),
    );
  });
  const base = new URLSearchParams(query);
  const link = (to, label, enabled) => {
    base.set("offset", String(to));
    return enabled ? h("a", { href: `#/p/${encodeURIComponent(name)}/dlq?${base}` }, label) : h("span", { class: "muted" }, label);
  };
  return [
    filters(name, query, page.groups),
    actions(name, session, selected, rerender),
    outcomePlace(),
    page.total === 0
      ? notice("No dead letters match.")
      : table(["", "Id", "Stream", "Stage", "Error", "Latest", h("th", { class: "num" }, "Attempts"), "Status", "Created"], rows),
    h(
      "div",
      { class: "pager" },
      link(Math.max(0, offset - PAGE), "← Previous", offset > 0),
      h("span", {}, page.total === 0 ? "" : `${number(offset + 1)}–${number(offset + page.letters.length)} of ${number(page.total)}`),
      link(offset + PAGE, "Next →", offset + PAGE < page.total),
    ),
  ];
}

export { deadLetterView } from "./dead-letter-view.js";
