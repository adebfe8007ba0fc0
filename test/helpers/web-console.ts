import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { startAgora, waitFor } from "./project.js";

export interface ServingConsole {
  readonly child: ChildProcessWithoutNullStreams;
  /** The console's address, without a trailing slash. */
  readonly url: string;
  /** What the process has said on stderr so far. */
  said(): string;
}

const ADDRESS = /web console on (http:\/\/[\d.]+:\d+)\//;

/** Starts `agora ARGS` (`console …` or `worker …`) in `dir` and waits until its log gives the web console's address. */
export async function startServingConsole(dir: string, args: readonly string[]): Promise<ServingConsole> {
  const child = startAgora(dir, args);
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await waitFor(() => ADDRESS.test(stderr), 15_000, `the web console of agora ${args[0] ?? ""} (it said: ${stderr})`);
  return { child, url: (ADDRESS.exec(stderr) as RegExpExecArray)[1] as string, said: () => stderr };
}
