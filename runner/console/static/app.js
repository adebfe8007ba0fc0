// The console's page: a router over the location's hash, the live feed, and the views.
import { ApiError, post, sessionInfo } from "./api.js";
import { checkpointView } from "./checkpoint-view.js";
import { deadLetterView, deadLettersView } from "./dead-letters-view.js";
import { h, notice } from "./dom.js";
import { pipelinesView } from "./pipelines-view.js";
import { planView } from "./plan-view.js";
import { runsView } from "./runs-view.js";

const app = document.getElementById("app");
const crumbs = document.getElementById("crumbs");
/** What the live feed last said of each pipeline's running run. */
export const live = new Map();
let rendering = 0;

/** The route in the hash: #/p/NAME/TAB/ID?query. */
function parseRoute() {
  const [path, query = ""] = location.hash.replace(/^#/, "").split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { parts, query: new URLSearchParams(query) };
}

export function pipelineHref(name, tab = "runs", query) {
  const search = query && [...query].length > 0 ? `?${query}` : "";
  return `#/p/${encodeURIComponent(name)}/${tab}${search}`;
}

function tabs(name, active) {
  const tab = (id, label) => h("a", { href: pipelineHref(name, id), class: id === active ? "active" : "", "data-tab": id }, label);
  return h("nav", { class: "tabs" }, tab("runs", "Runs"), tab("checkpoint", "Checkpoint"), tab("plan", "Plan"), tab("dlq", "Dead letters"));
}

async function viewFor({ parts, query }, session) {
  if (parts[0] !== "p" || parts[1] === undefined) {
    crumbs.replaceChildren();
    return pipelinesView();
  }
  const name = parts[1];
  const tab = parts[2] ?? "runs";
  crumbs.replaceChildren("/ ", h("a", { href: pipelineHref(name) }, name));
  const context = { name, query, session, live, rerender: render };
  let body;
  if (tab === "checkpoint") body = await checkpointView(context);
  else if (tab === "plan") body = await planView(context);
  else if (tab === "dlq" && parts[3] !== undefined) body = await deadLetterView({ ...context, id: parts[3] });
  else if (tab === "dlq") body = await deadLettersView(context);
  else body = await runsView(context);
  return [h("h1", {}, name), tabs(name, tab), body];
}

/** Draws the page for the current hash; a newer render wins over a slower older one. */
export async function render() {
  const mine = ++rendering;
  try {
    const session = await sessionInfo();
    const view = await viewFor(parseRoute(), session);
    if (mine === rendering) app.replaceChildren(...[view].flat(Number.POSITIVE_INFINITY));
  } catch (error) {
    if (mine !== rendering) return;
    const text = error instanceof ApiError ? `${error.message}${error.hint ? ` ${error.hint}` : ""}` : String(error);
    app.replaceChildren(notice(text, "error"));
  }
}

function follow() {
  const indicator = document.getElementById("live");
  const source = new EventSource("/api/events");
  source.onopen = () => indicator.classList.add("on");
  source.onerror = () => indicator.classList.remove("on");
  source.addEventListener("progress", (event) => {
    const data = JSON.parse(event.data);
    live.set(data.pipeline, data);
    document.dispatchEvent(new CustomEvent("agora-progress", { detail: data }));
  });
  const refresh = () => {
    live.clear();
    // Fetched again, but never while someone is typing an edit.
    if (!document.activeElement || !["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName)) render();
  };
  source.addEventListener("changed", refresh);
  source.addEventListener("checkpoint", refresh);
}

async function start() {
  const session = await sessionInfo();
  document.getElementById("mode").replaceChildren(session.readOnly ? h("span", { class: "badge" }, "read-only") : "");
  document.getElementById("logout").addEventListener("click", async () => {
    await post("/logout").catch(() => undefined);
    location.href = "/login";
  });
  window.addEventListener("hashchange", render);
  follow();
  await render();
}

start();
