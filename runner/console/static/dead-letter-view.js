import { get, pipelinePath, post } from "./api.js";
import { badge, h, notice, number, table, time } from "./dom.js";

function editor(path, letter, show) {
  const field = h("input", { type: "text", name: "field", placeholder: "field (a.b for inside an object)", "aria-label": "field" });
  const value = h("input", { type: "text", name: "value", placeholder: "value (JSON, or text)", "aria-label": "value" });
  const whole = h("textarea", { name: "record", "aria-label": "record", spellcheck: "false" }, letter.recordText ?? "");
  const send = async (body) => {
    try {
      await post(`${path}/edit`, body);
      show(notice("Saved. Replay it to send the repaired record."));
      document.dispatchEvent(new Event("agora-refresh"));
    } catch (error) {
      show(notice(`${error.message}${error.hint ? ` ${error.hint}` : ""}`, "error"));
    }
  };
  return h(
    "section",
    { id: "edit" },
    h("h2", {}, "Repair"),
    h(
      "form",
      { class: "toolbar", id: "edit-field", onsubmit: (event) => (event.preventDefault(), send({ set: [`${field.value}=${value.value}`] })) },
      field,
      value,
      h("button", { type: "submit" }, "Set field"),
      h("button", { type: "button", onclick: () => send({ unset: [field.value] }) }, "Remove field"),
    ),
    h(
      "form",
      { id: "edit-record", onsubmit: (event) => (event.preventDefault(), send({ record: whole.value })) },
      whole,
      h("div", { class: "toolbar" }, h("button", { type: "submit" }, "Save record")),
    ),
  );
}

function replayButtons(name, letter, show) {
  const replay = async (mode) => {
    try {
      const answer = await post(`${pipelinePath(name)}/replay`, { ids: [letter.id], mode });
      show(notice(answer.line, answer.succeeded === 1 ? "" : "error"));
      document.dispatchEvent(new Event("agora-refresh"));
    } catch (error) {
      show(notice(`${error.message}${error.hint ? ` ${error.hint}` : ""}`, "error"));
    }
  };
  return h(
    "div",
    { class: "toolbar" },
    h("button", { class: "primary", id: "replay-one", onclick: () => replay("full") }, "Replay"),
    h("button", { id: "replay-one-sink", onclick: () => replay("sink") }, "Replay to the targets only"),
  );
}

/** One dead letter: where it came from, why it failed (each attempt), its record as it arrived and as it is now; repair and replay. */
export async function deadLetterView({ name, id, session, rerender }) {
  const path = `${pipelinePath(name)}/dead-letters/${encodeURIComponent(id)}`;
  const letter = await get(path);
  const outcome = h("div", { id: "letter-outcome" });
  const show = (element) => outcome.replaceChildren(element);
  const refresh = () => {
    document.removeEventListener("agora-refresh", refresh);
    rerender().then(() => document.getElementById("letter-outcome")?.replaceChildren(...outcome.childNodes));
  };
  document.addEventListener("agora-refresh", refresh);
  const history = letter.history.map((event) => h("tr", {}, h("td", {}, time(event.at)), h("td", {}, event.kind === "edited" ? "edited" : "replay failed"), h("td", {}, event.detail)));
  const facts = [
    ["Status", badge(letter.status)],
    ["Stream", letter.stream],
    ["Stage", letter.stage],
    ["Error", h("code", {}, letter.errorCode)],
    ["Attempts", number(letter.attempts)],
    ["Run", letter.runId],
    ["Created", time(letter.createdAt)],
    ["Source", letter.location ? `${letter.location.file ?? ""}${letter.location.line ? ` line ${letter.location.line}` : ""}` : "–"],
  ];
  const pending = letter.status === "pending" && !session.readOnly && letter.recordText !== null;
  return [
    h("p", {}, h("a", { href: `#/p/${encodeURIComponent(name)}/dlq` }, "← Dead letters")),
    h("h2", {}, `Dead letter #${letter.id}`),
    h("dl", { class: "facts" }, facts.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])),
    h("div", { class: "notice error", id: "first-error" }, letter.errorMessage),
    outcome,
    pending ? replayButtons(name, letter, show) : null,
    h("h2", {}, "Attempts and edits"),
    history.length === 0 ? h("p", { class: "muted" }, "None yet.") : table(["When", "What", "Detail"], history),
    h(
      "div",
      { class: "grid2" },
      h("section", {}, h("h3", {}, "As it arrived"), h("pre", { id: "arrived" }, letter.arrivedText ?? "(no record)")),
      h("section", {}, h("h3", {}, "Replayed as"), h("pre", { id: "current-record" }, letter.recordText ?? "(nothing to replay: fix the source row)")),
    ),
    pending ? editor(path, letter, show) : null,
  ];
}
