import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asAgoraError, stringifyJson } from "../../protocol/index.js";
import { normalizeCatalog } from "../../catalogs/index.js";
import { airbyteCatalogProblem, configuredCatalogOf, configuredStreamsOf, singerCatalogOf, type AirbyteStream } from "../airbyte/airbyte-catalog.js";
import { descriptorKey, descriptorOf, firstMessageOf, isObject, readAirbyteLine, type AirbyteMessage } from "../airbyte/airbyte-message.js";
import { AirbyteStateSet, stateProblem } from "../airbyte/airbyte-state.js";
import { runCommandToEnd } from "../process/spawn-command.js";
import { fail, pass, skip, type CheckResult } from "./check-result.js";

/**
 * `agora test airbyte-source` and `airbyte-destination`: an Airbyte
 * connector run through its commands, each answer checked against the
 * protocol. A source: spec, check with a good config and a bad one, discover,
 * a read of every stream, and a second read handed the state the first one
 * produced (an incremental stream must resume, not start over). A
 * destination: spec, check, and a write of fixture records and states whose
 * echoes must come back, every one, in the order sent. What cannot be
 * checked (no incremental stream, no SPEC to check against) is skipped.
 */
export interface AirbyteSuiteOptions {
  readonly config: string;
  /** A config check must refuse; `{}` when none is given. */
  readonly badConfig?: string | undefined;
  readonly timeoutSeconds: number;
  readonly cwd: string;
}

interface Answer {
  readonly exitCode: number | undefined;
  readonly messages: readonly AirbyteMessage[];
  readonly stderr: string;
  readonly stdout: string;
}

async function runSub(command: string, args: readonly string[], options: AirbyteSuiteOptions, input?: string): Promise<Answer> {
  const result = await runCommandToEnd(command, args, {
    cwd: options.cwd,
    timeoutMs: options.timeoutSeconds * 1000,
    ...(input === undefined ? {} : { input }),
  });
  const messages = result.stdout.split("\n").flatMap((line) => {
    const message = readAirbyteLine(line);
    return message === undefined ? [] : [message];
  });
  return { exitCode: result.timedOut ? undefined : result.exitCode, messages, stderr: result.stderr, stdout: result.stdout };
}

function ending(answer: Answer): string {
  const error = answer.messages.find((message) => message.type === "TRACE" && isObject(message["trace"]) && message["trace"]["type"] === "ERROR");
  const said = error === undefined ? answer.stderr.trim().split("\n").at(-1) : String((error["trace"] as { error: { message?: unknown } }).error.message);
  return `${answer.exitCode === undefined ? "timed out" : `exited ${answer.exitCode}`}${said ? `: ${said}` : ""}`;
}

async function specAndCheck(command: string, options: AirbyteSuiteOptions, results: CheckResult[]): Promise<void> {
  const spec = await runSub(command, ["spec"], options);
  const found = spec.messages.find((message) => message.type === "SPEC");
  if (spec.exitCode === 0 && isObject(found?.["spec"]) && isObject(found["spec"]["connectionSpecification"]))
    results.push(pass("spec", "prints a SPEC with a connectionSpecification"));
  else results.push(fail("spec", `no SPEC message with a connectionSpecification object (${ending(spec)})`));
  const good = await runSub(command, ["check", "--config", options.config], options);
  const goodStatus = statusOf(good);
  results.push(
    goodStatus === "SUCCEEDED" ? pass("check", "SUCCEEDED with the config given") : fail("check", `with the config given: ${goodStatus ?? ending(good)}`),
  );
  const dir = mkdtempSync(join(tmpdir(), "agora-airbyte-test-"));
  try {
    const badFile = options.badConfig ?? join(dir, "empty-config.json");
    if (options.badConfig === undefined) writeFileSync(badFile, "{}");
    const bad = await runSub(command, ["check", "--config", badFile], options);
    const badStatus = statusOf(bad);
    const configError = bad.messages.some(
      (message) => isObject(message["trace"]) && isObject(message["trace"]["error"]) && message["trace"]["error"]["failure_type"] === "config_error",
    );
    if (badStatus === "FAILED" || configError)
      results.push(pass("check refuses a bad config", badStatus === "FAILED" ? "FAILED, as it should" : "a config_error TRACE"));
    else
      results.push(
        fail("check refuses a bad config", `with ${options.badConfig === undefined ? "an empty config" : "the bad config"}: ${badStatus ?? ending(bad)}`),
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function statusOf(answer: Answer): string | undefined {
  const status = answer.messages.find((message) => message.type === "CONNECTION_STATUS")?.["connectionStatus"];
  return isObject(status) && typeof status["status"] === "string" ? status["status"] : undefined;
}

export async function runAirbyteSourceSuite(command: string, options: AirbyteSuiteOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  await specAndCheck(command, options, results);
  const discovered = await runSub(command, ["discover", "--config", options.config], options);
  const catalog = firstMessageOf(discovered.stdout, "CATALOG")?.["catalog"];
  const problem = catalog === undefined ? `no CATALOG (${ending(discovered)})` : airbyteCatalogProblem(catalog);
  if (problem !== undefined) {
    results.push(fail("discover", problem));
    return [...results, skip("read", "no catalog to read with"), skip("incremental read", "no catalog to read with")];
  }
  const streams = configuredStreamsOf(normalizeCatalog(singerCatalogOf(catalog as { streams: AirbyteStream[] })));
  results.push(pass("discover", `a CATALOG of ${streams.length} stream(s)`));
  const dir = mkdtempSync(join(tmpdir(), "agora-airbyte-test-"));
  try {
    const catalogFile = join(dir, "configured_catalog.json");
    writeFileSync(catalogFile, stringifyJson(configuredCatalogOf(streams)));
    const configured = streams.map((stream) => descriptorKey(stream.descriptor));
    const first = await read(command, options, catalogFile, undefined, configured);
    results.push(first.problem === undefined ? pass("read", first.summary) : fail("read", first.problem));
    const incremental = streams.filter(
      (stream) => stream.configured.sync_mode === "incremental" && (first.records.get(descriptorKey(stream.descriptor)) ?? 0) > 0,
    );
    if (first.problem !== undefined) results.push(skip("incremental read", "the first read failed"));
    else if (incremental.length === 0 || first.states.length === 0)
      results.push(skip("incremental read", "no incremental stream read records and saved a state"));
    else {
      const stateFile = join(dir, "state.json");
      writeFileSync(stateFile, stringifyJson(first.states));
      const second = await read(command, options, catalogFile, stateFile, configured);
      const restarted = incremental.filter(
        (stream) => (second.records.get(descriptorKey(stream.descriptor)) ?? 0) >= (first.records.get(descriptorKey(stream.descriptor)) ?? 0),
      );
      if (second.problem !== undefined) results.push(fail("incremental read", `handed the state of the first read: ${second.problem}`));
      else if (restarted.length > 0)
        results.push(
          fail("incremental read", `handed the state of the first read, it read ${restarted.map((stream) => stream.id).join(", ")} again from the start`),
        );
      else results.push(pass("incremental read", `resumed ${incremental.map((stream) => stream.id).join(", ")} from the state it produced`));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

interface ReadOutcome {
  readonly problem: string | undefined;
  readonly summary: string;
  readonly records: Map<string, number>;
  readonly states: Array<Readonly<Record<string, unknown>>>;
}

async function read(
  command: string,
  options: AirbyteSuiteOptions,
  catalogFile: string,
  stateFile: string | undefined,
  configured: readonly string[],
): Promise<ReadOutcome> {
  const answer = await runSub(
    command,
    ["read", "--config", options.config, "--catalog", catalogFile, ...(stateFile === undefined ? [] : ["--state", stateFile])],
    options,
  );
  const records = new Map<string, number>();
  const states = new AirbyteStateSet();
  const known = new Set(configured);
  let problem = answer.exitCode === 0 ? undefined : `it ${ending(answer)}`;
  for (const message of answer.messages) {
    if (message.type === "RECORD") {
      const record = message["record"];
      const descriptor = isObject(record) ? descriptorOf({ name: record["stream"], namespace: record["namespace"] }) : undefined;
      if (descriptor === undefined || !isObject((record as Record<string, unknown>)["data"])) problem ??= "a RECORD without stream and a data object";
      else if (!known.has(descriptorKey(descriptor))) problem ??= `a RECORD of stream ${descriptor.name}, which the configured catalog does not have`;
      else records.set(descriptorKey(descriptor), (records.get(descriptorKey(descriptor)) ?? 0) + 1);
    } else if (message.type === "STATE") {
      const stateIssue = stateProblem(message["state"]);
      if (stateIssue !== undefined) problem ??= stateIssue;
      else states.take(message["state"] as Record<string, unknown>);
    } else if (message.type === "TRACE" && isObject(message["trace"]) && message["trace"]["type"] === "ERROR")
      problem ??= `it reported an error: ${ending(answer)}`;
  }
  let total = 0;
  for (const count of records.values()) total += count;
  return {
    problem,
    summary: `${total} record(s) of ${records.size} stream(s), ${states.toArray().length} state(s) to resume from`,
    records,
    states: states.toArray(),
  };
}

/** Fixture messages for a destination: two streams (one keyed), a STATE after each few records. */
function fixtureInput(): { readonly catalog: unknown; readonly lines: string[]; readonly states: number } {
  const streams = [
    { name: "agora_test_keyed", keys: [["id"]] },
    { name: "agora_test_plain", keys: [] },
  ];
  const catalog = {
    streams: streams.map(({ name, keys }) => ({
      stream: {
        name,
        json_schema: { type: "object", properties: { id: { type: "integer" }, note: { type: "string" } } },
        supported_sync_modes: ["full_refresh", "incremental"],
      },
      sync_mode: "incremental",
      cursor_field: [],
      destination_sync_mode: keys.length > 0 ? "append_dedup" : "append",
      ...(keys.length > 0 ? { primary_key: keys } : {}),
    })),
  };
  const lines: string[] = [];
  let states = 0;
  for (let id = 1; id <= 12; id += 1) {
    for (const { name } of streams)
      lines.push(JSON.stringify({ type: "RECORD", record: { stream: name, data: { id, note: `row ${id}` }, emitted_at: Date.now() } }));
    if (id % 4 === 0) {
      states += 1;
      lines.push(
        JSON.stringify({
          type: "STATE",
          state: { type: "GLOBAL", global: { shared_state: { agora_test: states }, stream_states: [] }, sourceStats: { recordCount: 8 } },
        }),
      );
    }
  }
  return { catalog, lines, states };
}

export async function runAirbyteDestinationSuite(command: string, options: AirbyteSuiteOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  await specAndCheck(command, options, results);
  const dir = mkdtempSync(join(tmpdir(), "agora-airbyte-test-"));
  try {
    const { catalog, lines, states } = fixtureInput();
    const catalogFile = join(dir, "configured_catalog.json");
    writeFileSync(catalogFile, JSON.stringify(catalog));
    const answer = await runSub(command, ["write", "--config", options.config, "--catalog", catalogFile], options, `${lines.join("\n")}\n`);
    const echoed = answer.messages.flatMap((message) => {
      const state = message["state"];
      const shared = message.type === "STATE" && isObject(state) && isObject(state["global"]) ? state["global"]["shared_state"] : undefined;
      return isObject(shared) && typeof shared["agora_test"] === "number" ? [shared["agora_test"]] : [];
    });
    const expected = Array.from({ length: states }, (_, index) => index + 1);
    if (answer.exitCode !== 0) results.push(fail("write", `it ${ending(answer)}`));
    else results.push(pass("write", `took ${lines.length - states} records of 2 streams and ${states} states`));
    if (stringifyJson(echoed) === stringifyJson(expected)) results.push(pass("state echoes", `echoed all ${states} states, in the order sent`));
    else
      results.push(
        fail(
          "state echoes",
          `echoed states ${stringifyJson(echoed)} where ${stringifyJson(expected)} were sent: each STATE must come back once its records are committed, in order`,
        ),
      );
  } catch (error) {
    results.push(fail("write", asAgoraError(error).message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
