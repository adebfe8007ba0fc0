import { Registry } from "prom-client";
import type { Logger } from "../../protocol/index.js";
import { StopRequests } from "../pipeline/stop-requests.js";
import type { Project } from "../project/project-types.js";
import type { StateStore } from "../state/interfaces.js";
import { consoleLine, oneTimeToken } from "../console/console-address.js";
import { WebConsole } from "../console/web-console.js";
import { HealthServer } from "./health-server.js";
import { scheduledPipelines } from "./worker.js";

export interface ConsoleServing {
  readonly project: Project | undefined;
  readonly store: StateStore;
  readonly logger: Logger;
  readonly port: number;
  readonly host: string;
  /** The sign-in token; undefined: one is made for this process and logged. */
  readonly token: string | undefined;
  readonly readOnly: boolean;
}

/** `agora console`: the web console over a state store, until SIGINT/SIGTERM. No pipeline runs here. */
export async function serveConsole(serving: ConsoleServing): Promise<void> {
  const { project, store, logger } = serving;
  const token = serving.token ?? oneTimeToken();
  const scheduled = new Map((project === undefined ? [] : scheduledPipelines(project, logger)).map((pipeline) => [pipeline.name, pipeline]));
  const web = new WebConsole({ project, scheduled, store, logger, readOnly: serving.readOnly }, token);
  const server = new HealthServer({ health: () => ({ status: "ok", console: true }), ready: () => true, metrics: new Registry() }, token, web);
  const { requests, release } = StopRequests.fromProcessSignals();
  try {
    const address = await server.listen(serving.port, serving.host);
    logger.info(consoleLine(address, serving.token === undefined ? token : undefined));
    logger.info(`state store: ${store.location}; stop with Ctrl-C`);
    await new Promise<void>((resolve) => requests.subscribe(() => resolve()));
  } finally {
    release();
    web.close();
    await server.close();
  }
}
