import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import { stringifyJson } from "../../protocol/index.js";

export interface HealthSources {
  /** The JSON document of /health. */
  health(): unknown | Promise<unknown>;
  /** True when /ready should answer 200. */
  ready(): boolean;
  readonly metrics: Registry;
}

/** Compares a presented token with the expected one in constant time (hashing first hides the length). */
function tokenMatches(presented: string, expected: string): boolean {
  const digest = (text: string): Buffer => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * The worker's HTTP server: GET /health (JSON), /ready (200 or 503),
 * /metrics (Prometheus text). With a token, every request needs
 * `Authorization: Bearer TOKEN`; anything else gets a bare 401.
 */
export class HealthServer {
  private readonly server: Server;

  constructor(
    private readonly sources: HealthSources,
    private readonly token: string | undefined,
  ) {
    this.server = createServer((request, response) => {
      void this.handle(request, response);
    });
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
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
    if (this.token !== undefined) {
      const header = request.headers.authorization ?? "";
      // The scheme is case-insensitive (RFC 9110): "bearer TOKEN" is as good as "Bearer TOKEN".
      const scheme = /^bearer[ \t]+/i.exec(header);
      const presented = scheme === null ? "" : header.slice(scheme[0].length).trim();
      if (!tokenMatches(presented, this.token)) {
        response.writeHead(401, { "content-type": "text/plain", "www-authenticate": "Bearer" }).end("unauthorized\n");
        return;
      }
    }
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET") {
      response.writeHead(405, { allow: "GET" }).end();
      return;
    }
    try {
      if (path === "/health") {
        response.writeHead(200, { "content-type": "application/json" }).end(`${stringifyJson(await this.sources.health(), 2)}\n`);
      } else if (path === "/ready") {
        const ready = this.sources.ready();
        response.writeHead(ready ? 200 : 503, { "content-type": "application/json" }).end(`${JSON.stringify({ ready })}\n`);
      } else if (path === "/metrics") {
        response.writeHead(200, { "content-type": this.sources.metrics.contentType }).end(await this.sources.metrics.metrics());
      } else {
        response.writeHead(404, { "content-type": "text/plain" }).end("not found: try /health, /ready or /metrics\n");
      }
    } catch (error) {
      response.writeHead(500, { "content-type": "text/plain" }).end(`${(error as Error).message}\n`);
    }
  }
}
