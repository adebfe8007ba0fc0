import { createServer, type IncomingMessage } from "node:http";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tracingRequested } from "../../../runner/tracing/tracing-setup.js";
import { agora } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";
import { pipelineProject } from "../../helpers/pipeline-project.js";

const root = tempDir("agora-tracing-");

/** An OTLP/HTTP collector on 127.0.0.1 that keeps what it is sent. */
interface Received {
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
}
const received: Received[] = [];
const collector = createServer((request: IncomingMessage, response) => {
  const parts: Buffer[] = [];
  request.on("data", (chunk: Buffer) => parts.push(chunk));
  request.on("end", () => {
    received.push({ path: request.url ?? "", contentType: String(request.headers["content-type"]), body: Buffer.concat(parts) });
    response.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
});
await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
const address = collector.address();
const endpoint = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;
afterAll(() => new Promise<void>((resolve) => collector.close(() => resolve())));

interface OtlpSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Array<{ key: string; value: { stringValue?: string; intValue?: string | number; arrayValue?: unknown } }>;
  status?: { code?: number; message?: string };
}

function spansIn(bodies: readonly Received[]): OtlpSpan[] {
  return bodies.flatMap((item) =>
    (JSON.parse(item.body.toString()) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> }).resourceSpans.flatMap((resource) =>
      resource.scopeSpans.flatMap((scope) => scope.spans),
    ),
  );
}

const attribute = (span: OtlpSpan | undefined, key: string): unknown => {
  const value = span?.attributes.find((item) => item.key === key)?.value;
  return value?.stringValue ?? value?.intValue;
};

const project = (name: string): string =>
  pipelineProject(
    join(root, name),
    {
      tap: { command: "tap-sample", config: { users: 50, orders: 100, state_every_records: 20 } },
      targets: [
        { command: "target-jsonl", config: { destination_path: "out" } },
        { command: "target-sqlite", config: { database: "shop.db" } },
      ],
      middleware: [{ type: "drop", fields: ["email"] }],
    },
    "shop",
  );

describe("tracing", () => {
  it("is off unless the standard variables ask for it", () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: "otlp" })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_TRACES_EXPORTER: "none" })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "true" })).toBe(false);
  });

  it("sends a run's span tree over OTLP/HTTP (JSON): the run, its stages, each target, each checkpoint save; log lines carry the trace id", async () => {
    received.length = 0;
    const dir = project("json");
    const result = await agora(dir, ["run", "shop"], {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_SERVICE_NAME: "agora-test",
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(received.every((item) => item.path === "/v1/traces" && item.contentType.startsWith("application/json"))).toBe(true);
    const spans = spansIn(received);
    const run = spans.find((span) => span.name === "agora.run");
    expect(attribute(run, "agora.pipeline")).toBe("shop");
    expect(String(attribute(run, "agora.run_id"))).toMatch(/^\d{14}-[0-9a-f]{6}$/);
    expect(attribute(run, "agora.status")).toBe("succeeded");
    expect(result.stderr).toContain(`run ${String(attribute(run, "agora.run_id"))}`);

    const children = spans.filter((span) => span.parentSpanId === run?.spanId);
    expect(spans.every((span) => span.traceId === run?.traceId)).toBe(true);
    expect(children.map((span) => span.name).sort()).toEqual(
      [
        "agora.data_path",
        "agora.run.finish",
        "agora.tap.start",
        "agora.target",
        "agora.target",
        ...children.filter((span) => span.name === "agora.checkpoint.save").map(() => "agora.checkpoint.save"),
      ].sort(),
    );
    expect(children.some((span) => span.name === "agora.checkpoint.save")).toBe(true);
    expect(
      children
        .filter((span) => span.name === "agora.target")
        .map((span) => attribute(span, "agora.target"))
        .sort(),
    ).toEqual(["target-jsonl", "target-sqlite"]);
    expect(
      attribute(
        children.find((span) => span.name === "agora.data_path"),
        "agora.records_read",
      ),
    ).toEqual(expect.anything());
    expect(result.stderr).toContain(`trace_id=${run?.traceId ?? "?"}`);
  });

  it("speaks OTLP's default protocol, protobuf over HTTP, when none is set", async () => {
    received.length = 0;
    const result = await agora(project("proto"), ["run", "shop"], { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(received.length).toBeGreaterThan(0);
    expect(received.every((item) => item.path === "/v1/traces" && item.contentType === "application/x-protobuf")).toBe(true);
    // The protobuf carries the span names as strings.
    expect(Buffer.concat(received.map((item) => item.body)).includes("agora.checkpoint.save")).toBe(true);
  });

  it("a run's failure marks its span failed, with the one line a user reads", async () => {
    received.length = 0;
    const dir = pipelineProject(join(root, "failing"), {
      tap: { command: "bash -c 'echo tap-x error: the source is down >&2; exit 1'" },
      target: { command: "target-jsonl" },
    });
    const result = await agora(dir, ["run", "p"], { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" });
    expect(result.exitCode).toBe(1);
    const run = spansIn(received).find((span) => span.name === "agora.run");
    expect(run?.status?.code).toBe(2);
    expect(run?.status?.message).toContain("tap-x error: the source is down");
    expect(attribute(run, "agora.error_code")).toBe("CONNECTOR_FAILED");
  });
});
