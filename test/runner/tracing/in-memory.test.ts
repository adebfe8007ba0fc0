import { join } from "node:path";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../../../protocol/index.js";
import { projectFromValue, resolvePipeline, runPipeline, traceTo } from "../../../runner/index.js";
import { MemoryStateStore } from "../../../runner/state/memory/memory-state-store.js";
import { tempDir } from "../../helpers/processes.js";

const dir = tempDir("agora-trace-memory-");
const exporter = new InMemorySpanExporter();
const tracing = await traceTo(exporter);
afterAll(() => tracing.shutdown());

describe("a run traced into an in-memory exporter (the runner embedded)", () => {
  it("has the span tree: agora.run over tap start, data path, each target, checkpoint saves and finish", async () => {
    const project = projectFromValue(
      {
        pipelines: {
          p: {
            tap: { command: "tap-sample", config: { users: 30, orders: 0, state_every_records: 10 } },
            targets: [
              { command: "target-jsonl", config: { destination_path: "out", batch_size_rows: 10 } },
              { command: "target-csv", config: { destination_path: "csv" } },
            ],
          },
        },
      },
      join(dir, "pipelines.toml"),
    );
    const result = await runPipeline(resolvePipeline(project, "p"), { store: new MemoryStateStore(), logger: createLogger("agora", "silent") });
    expect(result.status).toBe("succeeded");
    const spans = exporter.getFinishedSpans();
    const run = spans.find((span) => span.name === "agora.run");
    expect(run?.attributes).toMatchObject({ "agora.pipeline": "p", "agora.run_id": result.runId, "agora.status": "succeeded" });
    const children = spans.filter((span) => span.parentSpanContext?.spanId === run?.spanContext().spanId);
    const names = new Set(children.map((span) => span.name));
    expect([...names].sort()).toEqual(["agora.checkpoint.save", "agora.data_path", "agora.run.finish", "agora.tap.start", "agora.target"]);
    expect(
      children
        .filter((span) => span.name === "agora.target")
        .map((span) => span.attributes["agora.target"])
        .sort(),
    ).toEqual(["target-csv", "target-jsonl"]);
    expect(children.find((span) => span.name === "agora.data_path")?.attributes["agora.records_read"]).toBe(30);
    expect(spans.every((span) => span.spanContext().traceId === run?.spanContext().traceId)).toBe(true);
  });
});
