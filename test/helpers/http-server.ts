import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll } from "vitest";

export interface SeenRequest {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage["headers"];
  readonly at: number;
}

export type Handler = (request: SeenRequest, response: ServerResponse, nth: number) => void;

/** A real HTTP server on 127.0.0.1 for one test file, recording every request; closed after the file. */
export async function startServer(handler: Handler): Promise<{ url: string; requests: SeenRequest[]; setHandler: (next: Handler) => void }> {
  let current = handler;
  const requests: SeenRequest[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const seen = { path: url.pathname, query: url.searchParams, headers: request.headers, at: performance.now() };
    requests.push(seen);
    current(seen, response, requests.length);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, setHandler: (next) => (current = next) };
}

export function json(response: ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}
