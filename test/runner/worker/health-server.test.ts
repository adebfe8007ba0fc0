import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HealthServer } from "../../../runner/worker/health-server.js";
import { WorkerMetrics } from "../../../runner/worker/metrics.js";
import { openStateStore as openStoreAt } from "../../../runner/state/open-state-store.js";
import { tempDir } from "../../helpers/processes.js";

/*
 * The worker's health server on a real SQLite store and a real port. Before, a scrape while the
 * store failed sent its 200 header first, then a 500 on top of it (ERR_HTTP_HEADERS_SENT), which
 * took the whole worker down; and half-open connections, which need no token, were not bounded.
 */
describe("the health server", () => {
  it("answers 503 naming the problem while the state store fails, and goes on serving", async () => {
    const store = openStoreAt(join(tempDir("agora-health-"), "state.db"));
    await store.setCheckpoint("p", { at: 1 });
    const metrics = new WorkerMetrics(store, ["p"]);
    const server = new HealthServer(
      { health: async () => ({ checkpoint: (await store.getCheckpoint("p"))?.state }), ready: () => true, metrics: metrics.registry },
      undefined,
    );
    const { port } = await server.listen(0, "127.0.0.1");
    const get = async (path: string): Promise<{ status: number; body: string }> => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: response.status, body: await response.text() };
    };
    try {
      expect(await get("/health")).toEqual({ status: 200, body: '{\n  "checkpoint": {\n    "at": 1\n  }\n}\n' });
      expect((await get("/metrics")).body).toMatch(/agora_checkpoint_age_seconds\{pipeline="p"\} [\d.]+/);
      await store.close();
      for (const path of ["/health", "/metrics", "/health"]) {
        const answer = await get(path);
        expect(answer.status, path).toBe(503);
        expect(answer.body, path).toMatch(/^unavailable: /);
      }
      expect((await get("/ready")).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("closes connections past its cap as they come, so idle ones cannot take the worker's descriptors", async () => {
    const server = new HealthServer({ health: () => ({}), ready: () => true, metrics: new WorkerMetrics(openStoreAt("memory:"), []).registry }, undefined);
    const { port } = await server.listen(0, "127.0.0.1");
    const sockets: Socket[] = [];
    let closed = 0;
    try {
      await new Promise<void>((resolve) => {
        for (let index = 0; index < 200; index += 1) {
          const socket = connect(port, "127.0.0.1");
          socket.on("error", () => undefined);
          socket.on("close", () => {
            closed += 1;
            // Every connection past the 128 the server keeps is closed by it: 72 of these.
            if (closed === 72) resolve();
          });
          sockets.push(socket);
        }
      });
      expect(closed).toBe(72);
    } finally {
      for (const socket of sockets) socket.destroy();
      await server.close();
    }
  });
});
