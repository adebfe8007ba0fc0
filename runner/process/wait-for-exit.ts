import type { Connector, ConnectorExit } from "./connector-process.js";

/** Waits for a connector to exit; after `graceMs`, SIGTERM, then SIGKILL 5 s later. */
export async function waitForExit(connector: Connector, graceMs: number): Promise<ConnectorExit> {
  let timer = setTimeout(() => {
    connector.kill("SIGTERM");
    timer = setTimeout(() => connector.kill("SIGKILL"), 5000);
  }, graceMs);
  try {
    return await connector.exited;
  } finally {
    clearTimeout(timer);
  }
}
