import { describe, expect, it } from "vitest";
import { type AgoraError, ConfigError, FatalError } from "../../../../protocol/index.js";
import { HttpClient } from "../../../../protocol/sdk/http/index.js";
import { json, startServer } from "../../../helpers/http-server.js";

/** Answers each path with the statuses listed, in turn (then 200). */
const script: Record<string, number[]> = { "/flaky": [503, 429], "/gone": [404, 404], "/secret": [401, 401], "/slow-down": [429] };
const server = await startServer((request, response) => {
  const status = script[request.path]?.shift() ?? 200;
  if (status === 200) return json(response, { ok: request.path });
  response.writeHead(status, status === 429 ? { "retry-after": "0" } : {}).end(`status ${status}`);
  return undefined;
});
const client = new HttpClient({ baseUrl: server.url, maxRetries: 3, backoffSeconds: 0.01, maxBackoffSeconds: 0.02 });
const asked = (path: string): number => server.requests.filter((request) => request.path === path).length;

async function failure(path: string): Promise<AgoraError> {
  try {
    await client.getJson(path);
  } catch (error) {
    return error as AgoraError;
  }
  throw new Error(`GET ${path} succeeded`);
}

describe("HttpClient retries, decided by the error's class", () => {
  it("tries a 503 and a 429 again, and succeeds", async () => {
    expect((await client.getJson("/flaky")).body).toEqual({ ok: "/flaky" });
    expect(asked("/flaky")).toBe(3);
  });

  it("does not retry a 404: a FatalError at once", async () => {
    const error = await failure("/gone");
    expect(error).toBeInstanceOf(FatalError);
    expect(error.code).toBe("HTTP_REFUSED");
    expect(asked("/gone")).toBe(1);
  });

  it("does not retry refused credentials: a ConfigError, whose kind says fix the config", async () => {
    const error = await failure("/secret");
    expect(error).toBeInstanceOf(ConfigError);
    expect([error.code, error.kind, error.retriable]).toEqual(["HTTP_UNAUTHORIZED", "config", false]);
    expect(asked("/secret")).toBe(1);
  });

  it("honours Retry-After: 0 and goes on", async () => {
    expect((await client.getJson("/slow-down")).body).toEqual({ ok: "/slow-down" });
    expect(asked("/slow-down")).toBe(2);
  });
});
