import { get, pipelinePath } from "./api.js";
import { h } from "./dom.js";

const arrow = () => h("span", { class: "arrow", "aria-hidden": "true" }, "→");

function node(title, plane, ...lines) {
  return h("div", { class: "node" }, h("div", { class: "plane" }, plane), h("h3", {}, title), lines.filter(Boolean).map((line) => h("div", { class: "muted" }, line)));
}

/** The plan `agora explain` prints, drawn: tap → validation → middleware → targets, each with the plane it works on. */
export async function planView({ name }) {
  const plan = await get(`${pipelinePath(name)}/plan`);
  const targets = h(
    "div",
    { class: "targets" },
    plan.targets.map((target) =>
      node(target.name, target.downgraded ? `${target.receives} (downgraded)` : target.receives, h("code", {}, target.command), target.route, target.why),
    ),
  );
  const steps = plan.middleware.map((step) => [node(step.step, step.planes.join(" + ")), arrow()]);
  return [
    h(
      "div",
      { class: "flow", id: "plan" },
      node(`tap: ${plan.tap.name}`, plan.tap.emits, h("code", {}, plan.tap.command), plan.tap.batchFormat ? `batches: ${plan.tap.batchFormat}` : null, plan.tap.why),
      arrow(),
      node("validation", "rows", plan.validation),
      arrow(),
      steps,
      targets,
    ),
    h("dl", { class: "facts spaced" }, h("dt", {}, "Records"),
      h("dd", { id: "records-way" }, plan.records),
      h("dt", {}, "Lane"),
      h("dd", {}, plan.lane), h("dt", {}, "Checkpoints"), h("dd", {}, plan.checkpoint), h("dt", {}, "Dead letters"), h("dd", {}, plan.deadLetters)),
  ];
}
