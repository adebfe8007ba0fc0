import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { median } from "../measure.js";
import { measureProcess } from "../process-stats.js";

/** A small pipeline's wall time, median of its rounds: through agora run with a fresh state store, and as a shell pipe. */
export interface StartUpFigures {
  readonly records: number;
  readonly agoraSeconds: number;
  readonly pipeSeconds: number;
  /** The same without NODE_EXTRA_CA_CERTS, when this machine sets it (Node reads that bundle at every start). */
  readonly withoutExtraCerts: { readonly agoraSeconds: number; readonly pipeSeconds: number } | undefined;
  readonly markdown: string;
}

interface Rounds {
  readonly through: number[];
  readonly piped: number[];
}

/**
 * What a user waits for before any data: tap-csv → target-jsonl on a
 * 20-row CSV, through `agora run` in a fresh project folder (a new state
 * store, nothing cached) and as a shell pipe, taking turns, `rounds` each.
 * Where the environment names an extra CA bundle (NODE_EXTRA_CA_CERTS),
 * every Node process reads it as it starts, four of them in a fresh run:
 * the rounds are run again without it, so both figures are on the page.
 */
export async function runStartUpBench(root: string, work: string, rounds: number, records = 20): Promise<StartUpFigures> {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const csv = join(work, "small.csv");
  writeFileSync(csv, ["id,name,amount", ...Array.from({ length: records }, (_, index) => `${index},name ${index},${index * 1.5}`)].join("\n"));
  const extraCerts = process.env["NODE_EXTRA_CA_CERTS"];
  const asIs = await startUpRounds(root, work, csv, rounds, "as-is", undefined);
  // An empty value is what Node reads as "none".
  const without =
    extraCerts === undefined || extraCerts === "" ? undefined : await startUpRounds(root, work, csv, rounds, "no-certs", { NODE_EXTRA_CA_CERTS: "" });
  rmSync(work, { recursive: true, force: true });
  const [agoraSeconds, pipeSeconds] = [median(asIs.through), median(asIs.piped)];
  const row = (how: string, seconds: readonly number[]): string =>
    `| ${how} | ${median(seconds).toFixed(2)} s | ${seconds.map((value) => value.toFixed(2)).join(", ")} |`;
  const markdown = [
    `tap-csv → target-jsonl on a ${records}-row CSV, median of ${rounds} rounds taking turns: through \`agora run\` in a fresh project folder (a new state store, no cached --about answers), and as a shell pipe.`,
    ...(without === undefined
      ? []
      : [
          "",
          `This machine sets NODE_EXTRA_CA_CERTS (${extraCerts}): Node reads that bundle as each process starts, about 50 ms each, and a fresh run starts four. The rounds were run again without it.`,
        ]),
    "",
    "| how | wall (median) | each round |",
    "| --- | ---: | --- |",
    row("agora run", asIs.through),
    row("tap-csv \\| target-jsonl", asIs.piped),
    ...(without === undefined
      ? []
      : [row("agora run, without NODE_EXTRA_CA_CERTS", without.through), row("tap-csv \\| target-jsonl, without NODE_EXTRA_CA_CERTS", without.piped)]),
  ].join("\n");
  return {
    records,
    agoraSeconds,
    pipeSeconds,
    withoutExtraCerts: without === undefined ? undefined : { agoraSeconds: median(without.through), pipeSeconds: median(without.piped) },
    markdown,
  };
}

/** `rounds` fresh runs through agora and as a shell pipe, taking turns, in the environment plus `env`. */
async function startUpRounds(
  root: string,
  work: string,
  csv: string,
  rounds: number,
  label: string,
  env: Readonly<Record<string, string>> | undefined,
): Promise<Rounds> {
  const agora = join(root, "dist", "runner", "cli", "bin.js");
  const bin = (name: string): string => `${process.execPath} ${join(root, "dist", "connectors", name, "bin.js")}`;
  const through: number[] = [];
  const piped: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const project = join(work, `project-${label}-${round}`);
    mkdirSync(project);
    writeFileSync(join(project, "tap.json"), JSON.stringify({ files: [{ path: csv, stream: "small", key_properties: ["id"] }] }));
    writeFileSync(join(project, "target.json"), JSON.stringify({ destination_path: "out" }));
    const run = await measureProcess(
      agora,
      ["run", "--no-progress", "--tap", "tap-csv --config tap.json", "--target", "target-jsonl --config target.json"],
      undefined,
      project,
      true,
      env,
    );
    if (run.exitCode !== 0) throw new Error(`agora run (start-up, ${label}) failed: ${run.stderr}`);
    through.push(run.seconds);
    const pipe = await measureProcess(
      "bash",
      ["-c", `set -o pipefail; ${bin("tap-csv")} --config tap.json | ${bin("target-jsonl")} --config target.json > /dev/null`],
      undefined,
      project,
      true,
      env,
    );
    if (pipe.exitCode !== 0) throw new Error(`the shell pipe (start-up, ${label}) failed: ${pipe.stderr}`);
    piped.push(pipe.seconds);
  }
  return { through, piped };
}
