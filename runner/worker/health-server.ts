import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import { ConfigError, maskSecrets, stringifyJson } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";
import { bearerTokenOf, sameSecret } from "../console/console-session.js";
import type { ConsolePort } from "../console/web-console.js";

export interface HealthSources {
  /** The JSON document of /health. */
  health(): unknown | Promise<unknown>;
  /** True when /ready should answer 200. */
  ready(): boolean;
  readonly metrics: Registry;
}

/** Connections served at once; more are closed as they come. */
const MAX_CONNECTIONS = 128;
/** A client must send its request's headers within this long, and the whole request within the next. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 15_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/**
 * The worker's HTTP server: GET /health (JSON), /ready (200 or 503),
 * /metrics (Prometheus text), and the web console on every other path when
 * it has one (signed in to it, the health endpoints need no bearer token). With a token, every request needs
 * `Authorization: Bearer TOKEN`; anything else gets a bare 401. A source
 * that fails (the state store down) makes a 503 naming why; connections
 * and their time are bounded.
 */
export class HealthServer {
  private readonly server: Server;

  constructor(
    private readonly sources: HealthSources,
    private readonly token: string | undefined,
    /** The web console, served on every other path when there is one. */
    private readonly console?: ConsolePort,
  ) {
    this.server = createServer((request, response) => {
      // Never a crash of the worker: whatever goes wrong ends this one response.
      this.handle(request, response).catch(() => response.destroy());
    });
    // Bounded, so no peer can hold the worker's descriptors (the health port needs no token to connect).
    this.server.maxConnections = MAX_CONNECTIONS;
    this.server.headersTimeout = HEADERS_TIMEOUT_MS;
    this.server.requestTimeout = REQUEST_TIMEOUT_MS;
    this.server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    this.server.setTimeout(REQUEST_TIMEOUT_MS, (socket) => socket.destroy());
  }

  /** Listens; a port taken or not allowed (or a host not this machine's) is a config error naming it, not a crash. */
  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once("error", (error: NodeJS.ErrnoException) => {
        const why =
          error.code === "EADDRINUSE" ? "is in use" : error.code === "EACCES" ? "is not allowed to this user" : `cannot be listened on (${error.message})`;
        reject(
          new ConfigError(RunnerCodes.HEALTH_PORT_UNAVAILABLE, `port ${port} on ${host} ${why}`, {
            hint: "Choose another with --port (or health_port in [worker]); 0 picks a free one.",
            cause: error,
          }),
        );
      });
      this.server.listen(port, host, () => resolve(this.server.address() as AddressInfo));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://agora.invalid");
    const path = url.pathname;
    if (this.console !== undefined && path !== "/health" && path !== "/ready" && path !== "/metrics") {
      await this.console.handle(request, response, url);
      return;
    }
    if (this.token !== undefined && this.console?.signedIn(request) !== true) {
      if (!sameSecret(bearerTokenOf(request) ?? "", this.token)) {
        response.writeHead(401, { "content-type": "text/plain", "www-authenticate": "Bearer" }).end("unauthorized\n");
        return;
      }
    }
    if (request.method !== "GET") {
      response.writeHead(405, { allow: "GET" }).end();
      return;
    }
    // The body is made before the status is sent: a source that fails (the state store down) is a 503, never half an answer.
    let answer: { status: number; type: string; body: string };
    try {
      if (path === "/health") answer = { status: 200, type: "application/json", body: `${stringifyJson(await this.sources.health(), 2)}\n` };
      else if (path === "/ready") {
        const ready = this.sources.ready();
        answer = { status: ready ? 200 : 503, type: "application/json", body: `${JSON.stringify({ ready })}\n` };
      } else if (path === "/metrics") answer = { status: 200, type: this.sources.metrics.contentType, body: await this.sources.metrics.metrics() };
      else answer = { status: 404, type: "text/plain", body: "not found: try /health, /ready or /metrics\n" };
    } catch (error) {
      answer = { status: 503, type: "text/plain", body: `unavailable: ${maskSecrets(error instanceof Error ? error.message : String(error))}\n` };
    }
    if (!response.headersSent) response.writeHead(answer.status, { "content-type": answer.type }).end(answer.body);
  }
}
