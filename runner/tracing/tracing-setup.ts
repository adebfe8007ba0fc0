import { trace } from "@opentelemetry/api";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";

/** Flushes and stops tracing; resolves at once when tracing is off. */
export interface Tracing {
  readonly enabled: boolean;
  shutdown(): Promise<void>;
}

const OFF: Tracing = { enabled: false, shutdown: async () => undefined };

/**
 * True when the standard OpenTelemetry variables ask for traces: an OTLP
 * endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) or OTEL_TRACES_EXPORTER names otlp;
 * never with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none.
 */
export function tracingRequested(env: NodeJS.ProcessEnv): boolean {
  if (env["OTEL_SDK_DISABLED"]?.toLowerCase() === "true") return false;
  const exporters = (env["OTEL_TRACES_EXPORTER"] ?? "").split(",").map((name) => name.trim().toLowerCase());
  if (exporters.includes("none")) return false;
  return exporters.includes("otlp") || Boolean(env["OTEL_EXPORTER_OTLP_ENDPOINT"]) || Boolean(env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]);
}

/**
 * Starts tracing as the environment asks: OTLP over HTTP, configured by the
 * standard OTEL_* variables (endpoint, headers, protocol http/protobuf or
 * http/json, OTEL_SERVICE_NAME, default "agora"). Off by default, and then
 * nothing of the SDK is even loaded: the API's no-op tracer costs nothing.
 */
export async function startTracing(env: NodeJS.ProcessEnv = process.env): Promise<Tracing> {
  if (!tracingRequested(env)) return OFF;
  const protocol = (env["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] ?? env["OTEL_EXPORTER_OTLP_PROTOCOL"] ?? "http/protobuf").toLowerCase();
  const { OTLPTraceExporter } =
    protocol === "http/json" ? await import("@opentelemetry/exporter-trace-otlp-http") : await import("@opentelemetry/exporter-trace-otlp-proto");
  return traceTo(new OTLPTraceExporter(), env, "batch");
}

/**
 * Sends the runner's spans to `exporter` (an InMemorySpanExporter in tests,
 * or any exporter of an application embedding the runner). `simple` exports
 * each span as it ends; `batch` (for networks) in batches.
 */
export async function traceTo(exporter: SpanExporter, env: NodeJS.ProcessEnv = process.env, mode: "simple" | "batch" = "simple"): Promise<Tracing> {
  const { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor } = await import("@opentelemetry/sdk-trace-base");
  const { resourceFromAttributes } = await import("@opentelemetry/resources");
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": env["OTEL_SERVICE_NAME"] ?? "agora" }),
    spanProcessors: [mode === "batch" ? new BatchSpanProcessor(exporter) : new SimpleSpanProcessor(exporter)],
  });
  trace.setGlobalTracerProvider(provider);
  return {
    enabled: true,
    shutdown: async () => {
      // A collector that is down must not hold the runner's exit: the spans are lost, the run is not.
      await Promise.race([provider.shutdown().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      trace.disable();
    },
  };
}
