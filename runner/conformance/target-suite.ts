import { LineSplitter } from "../../protocol/index.js";
import { canonicalJson } from "../canonical-json.js";
import { readTargetLine } from "../connector/target-output.js";
import { spawnCommand, type Ended } from "../process/spawn-command.js";
import { fail, pass, skip, type CheckResult } from "./check-result.js";
import { keyOf, looselyEqual, storedField } from "./loose-equal.js";
import { readBackFrom, type ReadBack } from "./read-back.js";
import { buildTargetFixture, type TargetFixture } from "./target-fixture.js";
import { checkUnknownMessage } from "./unknown-message-check.js";

export interface TargetSuiteOptions {
  readonly configFiles: readonly string[];
  readonly timeoutSeconds: number;
  readonly cwd: string;
  readonly read: string | undefined;
  readonly reader: string | undefined;
}

/** The checks of `agora test target`, in order. Documented in docs/conformance.md. */
export const TARGET_CHECKS = ["exit", "state_order", "state_final", "durability", "records_arrived", "unknown_message"] as const;

/**
 * Feeds a target the fixture streams and checks its exit, the STATEs it
 * confirms and, given a way to read back, that each confirmed STATE's
 * records were already there when it was confirmed and that every record
 * arrived. Then, in a run of its own, that it ignores a message type it
 * cannot know.
 */
export async function runTargetSuite(command: string, options: TargetSuiteOptions): Promise<CheckResult[]> {
  const results = await fixtureChecks(command, options);
  results.push(await checkUnknownMessage(command, options.configFiles, options.cwd, options.timeoutSeconds * 1000));
  return results;
}

/** What a target did with the fixture: how it ended, what it said, the STATEs it confirmed and, per confirmation, the records already written. */
interface FixtureRun {
  readonly result: Ended;
  readonly stderr: string;
  readonly confirmed: ReadonlyArray<{ index: number; value: unknown }>;
  readonly snapshots: ReadonlyArray<{ index: number; present: Set<string> }>;
}

/** The key of every record read back, by its stream's key properties. */
async function keysReadBack(readBack: ReadBack, keysOfStream: ReadonlyMap<string, readonly string[]>): Promise<Set<string>> {
  return new Set((await readBack()).map(({ stream, record }) => keyOf(stream, record, keysOfStream.get(stream) ?? [])));
}

async function fixtureChecks(command: string, options: TargetSuiteOptions): Promise<CheckResult[]> {
  const fixture = buildTargetFixture();
  const readBack = readBackFrom(options.read, options.reader, fixture.streams, options.cwd);
  const run = await feedFixture(command, options, fixture, readBack);
  // A target that never started confirmed nothing and wrote nothing: every check that needs it fails, with why.
  const startError = run.result.spawnError;
  if (startError !== undefined) {
    const why = `it could not start (${startError}): is the command right, installed and on PATH?`;
    return [fail("exit", why), fail("state_order", why), fail("state_final", why), fail("durability", why), fail("records_arrived", why)];
  }
  const results = stateChecks(run, fixture, options.timeoutSeconds);
  if (readBack === undefined) {
    results.push(skip("durability", "needs --read or --reader to look at what the target wrote"));
    results.push(skip("records_arrived", "needs --read or --reader to look at what the target wrote"));
    return results;
  }
  results.push(...(await readBackChecks(run, fixture, readBack)));
  return results;
}

/** Runs the target on the fixture; with a way to read back, what it had written is read at each confirmation. */
async function feedFixture(command: string, options: TargetSuiteOptions, fixture: TargetFixture, readBack: ReadBack | undefined): Promise<FixtureRun> {
  const sentStates = fixture.states.map((value) => canonicalJson(value));
  const confirmed: Array<{ index: number; value: unknown }> = [];
  const snapshots: Array<{ index: number; present: Set<string> }> = [];
  const keysOfStream = new Map(fixture.records.map((record) => [record.stream, record.keys]));
  let reads: Promise<void> = Promise.resolve();
  const child = spawnCommand(
    command,
    options.configFiles.flatMap((config) => ["--config", config]),
    { cwd: options.cwd, stdin: "pipe", timeoutMs: options.timeoutSeconds * 1000 },
  );
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const splitter = new LineSplitter((text, line) => {
    // A STATE is echoed as its bare value (the Singer convention) or as a STATE message.
    const output = readTargetLine(text, line, { isSentState: (value) => sentStates.includes(canonicalJson(value)) });
    if (output.kind !== "state") return;
    const index = sentStates.lastIndexOf(canonicalJson(output.value));
    confirmed.push({ index, value: output.value });
    if (readBack !== undefined && index >= 0)
      reads = reads.then(async () => void snapshots.push({ index, present: await keysReadBack(readBack, keysOfStream) }));
  });
  child.stdout.on("data", (chunk: Buffer) => splitter.push(chunk));
  child.stdin.on("error", () => undefined);
  child.stdin.end(`${fixture.lines.join("\n")}\n`);
  const result = await child.ended;
  splitter.end();
  await reads;
  return { result, stderr, confirmed, snapshots };
}

/** exit, state_order and state_final: how it ended, and the STATEs it confirmed. */
function stateChecks(run: FixtureRun, fixture: TargetFixture, timeoutSeconds: number): CheckResult[] {
  const { result, confirmed } = run;
  const results: CheckResult[] = [];
  const lastStderr = run.stderr.trim().split("\n").at(-1) ?? "";
  results.push(
    result.timedOut
      ? fail("exit", `did not finish within ${timeoutSeconds} s`)
      : result.exitCode === 0
        ? pass("exit", `exited 0 after ${fixture.lines.length} input lines`)
        : fail("exit", `exited with code ${String(result.exitCode ?? result.signal)}: ${lastStderr}`),
  );
  const unknown = confirmed.find((item) => item.index < 0);
  const backwards = confirmed.find((item, position) => position > 0 && item.index < (confirmed[position - 1]?.index ?? -1));
  results.push(
    unknown !== undefined
      ? fail("state_order", `confirmed a STATE it was never sent: ${JSON.stringify(unknown.value).slice(0, 80)}`)
      : backwards !== undefined
        ? fail("state_order", `confirmed STATE ${JSON.stringify(backwards.value)} after a later one`)
        : pass("state_order", `${confirmed.length} confirmation(s) of the ${fixture.states.length} STATEs sent, in order, values as sent`),
  );
  const last = fixture.states.length - 1;
  results.push(
    confirmed.some((item) => item.index === last)
      ? pass("state_final", "the last STATE was confirmed")
      : fail("state_final", `the last STATE sent, ${JSON.stringify(fixture.states[last])}, was never confirmed`),
  );
  return results;
}

/** durability and records_arrived: each confirmation's records already written, and every record read back with its values. */
async function readBackChecks(run: FixtureRun, fixture: TargetFixture, readBack: ReadBack): Promise<CheckResult[]> {
  const keysOfStream = new Map(fixture.records.map((record) => [record.stream, record.keys]));
  const final = await readBack();
  const finalKeys = new Set(final.map(({ stream, record }) => keyOf(stream, record, keysOfStream.get(stream) ?? [])));
  let early: string | undefined;
  for (const snapshot of run.snapshots) {
    const missing = fixture.records.find(
      (record) =>
        record.beforeState <= snapshot.index &&
        !snapshot.present.has(keyOf(record.stream, record.record, record.keys)) &&
        finalKeys.has(keyOf(record.stream, record.record, record.keys)),
    );
    if (missing !== undefined) {
      early = `STATE ${JSON.stringify(fixture.states[snapshot.index])} was confirmed before record ${keyOf(missing.stream, missing.record, missing.keys)} (sent before it) was written`;
      break;
    }
  }
  const durability =
    early === undefined ? pass("durability", `${run.snapshots.length} confirmation(s) checked: their records were already written`) : fail("durability", early);
  const latest = new Map<string, { stream: string; record: Record<string, unknown> }>();
  for (const item of final) latest.set(keyOf(item.stream, item.record, keysOfStream.get(item.stream) ?? []), item);
  let problem: string | undefined;
  for (const sent of fixture.records) {
    const key = keyOf(sent.stream, sent.record, sent.keys);
    const stored = latest.get(key);
    if (stored === undefined) {
      problem = `record ${key} is missing`;
      break;
    }
    const differs = Object.keys(sent.record).find((field) => !looselyEqual(sent.record[field], storedField(stored.record, field)));
    if (differs !== undefined) {
      problem = `record ${key}: field ${differs} was ${JSON.stringify(sent.record[differs])?.slice(0, 60)}, reads back as ${JSON.stringify(storedField(stored.record, differs))?.slice(0, 60)}`;
      break;
    }
  }
  return [
    durability,
    problem === undefined ? pass("records_arrived", `all ${fixture.records.length} records read back with their values`) : fail("records_arrived", problem),
  ];
}
