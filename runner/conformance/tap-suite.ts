import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Catalog } from "../../catalogs/index.js";
import { RecordValidator, type MessageLine } from "../../protocol/index.js";
import { canonicalJson } from "../pipeline/canonical-json.js";
import { capture, captureSync, type SyncOutput } from "./capture.js";
import { checkCatalog, deselectableProperty, selectAll } from "./catalog-checks.js";
import { fail, pass, skip, type CheckResult } from "./check-result.js";

export interface SuiteOptions {
  readonly configFiles: readonly string[];
  readonly maxRecords: number;
  readonly timeoutSeconds: number;
  readonly cwd: string;
}

/** The checks of `agora test tap`, in order. Documented in docs/conformance.md. */
export const TAP_CHECKS = [
  "about",
  "discover",
  "catalog_schemas",
  "catalog_keys",
  "catalog_breadcrumbs",
  "test_connection",
  "sync_exit",
  "schema_before_record",
  "records_valid",
  "keys_present",
  "state_valid",
  "stream_deselection",
  "property_deselection",
  "resume",
] as const;

const lastLine = (text: string): string => text.trim().split("\n").at(-1) ?? "";
const records = (output: SyncOutput) => output.messages.flatMap((item) => (item.known && item.message.type === "RECORD" ? [item.message] : []));
const states = (output: SyncOutput): unknown[] => output.messages.flatMap((item) => (item.known && item.message.type === "STATE" ? [item.message.value] : []));

function syncChecks(output: SyncOutput): CheckResult[] {
  const results: CheckResult[] = [];
  if (output.badLine !== undefined) results.push(fail("sync_exit", `stdout line ${output.badLine.line} is not a message: ${output.badLine.error}`));
  else if (output.timedOut) results.push(fail("sync_exit", "the sync did not finish within the timeout"));
  else if (output.stoppedAtLimit) results.push(pass("sync_exit", "stopped by the check at --max-records"));
  else if (output.exitCode === 0) results.push(pass("sync_exit", `exited 0 after ${records(output).length} record(s)`));
  else results.push(fail("sync_exit", `exited with code ${String(output.exitCode)}: ${lastLine(output.stderr)}`));

  const schemas = new Map<string, readonly string[]>();
  const validator = new RecordValidator();
  let orderProblem: string | undefined;
  let invalid: string | undefined;
  let missingKey: string | undefined;
  let badState: string | undefined;
  for (const item of output.messages as MessageLine[]) {
    if (!item.known) continue;
    const message = item.message;
    if (message.type === "SCHEMA") {
      schemas.set(message.stream, message.key_properties);
      try {
        validator.setSchema(message.stream, message.schema, item.line);
      } catch (error) {
        invalid ??= `line ${item.line}: ${(error as Error).message}`;
      }
    } else if (message.type === "RECORD") {
      const keys = schemas.get(message.stream);
      if (keys === undefined) {
        orderProblem ??= `line ${item.line}: RECORD for stream ${message.stream} before its SCHEMA`;
        continue;
      }
      const problem = validator.validate(message.stream, message.record, item.line);
      if (problem !== undefined) invalid ??= `line ${item.line}, stream ${message.stream}: ${problem.message}`;
      const absent = keys.find((key) => message.record[key] === undefined || message.record[key] === null);
      if (absent !== undefined) missingKey ??= `line ${item.line}, stream ${message.stream}: key property ${absent} is missing or null`;
    } else if (message.type === "STATE") {
      const value = message.value;
      if (typeof value !== "object" || value === null || Array.isArray(value)) badState ??= `line ${item.line}: STATE value ${JSON.stringify(value)?.slice(0, 60)} is not a JSON object`;
    }
  }
  results.push(orderProblem === undefined ? pass("schema_before_record", `${schemas.size} stream(s), each SCHEMA before its records`) : fail("schema_before_record", orderProblem));
  results.push(invalid === undefined ? pass("records_valid", "every record matches its stream's schema") : fail("records_valid", invalid));
  results.push(missingKey === undefined ? pass("keys_present", "key properties present and non-null in every record") : fail("keys_present", missingKey));
  results.push(badState === undefined ? pass("state_valid", `${states(output).length} STATE message(s), all JSON objects`) : fail("state_valid", badState));
  return results;
}

/** A record's identity: its stream and key properties, or the whole record when it has none. */
function identity(stream: string, record: Record<string, unknown>, keys: readonly string[]): string {
  return `${stream}|${keys.length === 0 ? canonicalJson(record) : canonicalJson(keys.map((key) => record[key]))}`;
}

/**
 * Runs a tap through its modes and reports each check. Every sync is
 * bounded by --max-records and the timeout, so large sources work too.
 */
export async function runTapSuite(command: string, options: SuiteOptions): Promise<CheckResult[]> {
  const timeoutMs = options.timeoutSeconds * 1000;
  const config = options.configFiles.flatMap((file) => ["--config", file]);
  const results: CheckResult[] = [];
  const work = mkdtempSync(join(tmpdir(), "agora-test-"));
  try {
    const about = await capture(command, [...config, "--about"], options.cwd, timeoutMs);
    let capabilities: string[] = [];
    try {
      const parsed = JSON.parse(about.stdout) as { name?: unknown; capabilities?: unknown };
      if (about.exitCode !== 0) throw new Error(`exited with code ${String(about.exitCode)}`);
      if (typeof parsed.name !== "string" || !Array.isArray(parsed.capabilities) || !parsed.capabilities.every((item) => typeof item === "string")) {
        throw new Error('it needs a string "name" and a "capabilities" array of strings');
      }
      capabilities = parsed.capabilities as string[];
      results.push(pass("about", `${parsed.name}; capabilities: ${capabilities.join(", ") || "none"}`));
    } catch (error) {
      results.push(fail("about", `--about: ${(error as Error).message.split("\n")[0] ?? ""}`));
    }

    const discover = await capture(command, [...config, "--discover"], options.cwd, timeoutMs);
    const { results: catalogResults, catalog } = discover.exitCode === 0 ? checkCatalog(discover.stdout) : { results: [fail("discover", `--discover exited with code ${String(discover.exitCode)}: ${lastLine(discover.stderr)}`)], catalog: undefined };
    results.push(...catalogResults);

    const connection = await capture(command, [...config, "--test_connection"], options.cwd, timeoutMs);
    results.push(connection.exitCode === 0 ? pass("test_connection", "exited 0") : fail("test_connection", `exited with code ${String(connection.exitCode)}: ${lastLine(connection.stderr)}`));

    if (catalog === undefined) {
      for (const check of TAP_CHECKS.slice(6)) results.push(skip(check, "needs a valid catalog from --discover"));
      return results;
    }
    const sync = (name: string, selection: Catalog, extra: string[] = []): Promise<SyncOutput> => {
      const file = join(work, `${name}.catalog.json`);
      writeFileSync(file, JSON.stringify(selection));
      return captureSync(command, [...config, "--catalog", file, ...extra], options.cwd, options.maxRecords, timeoutMs);
    };

    const full = await sync("all", selectAll(catalog));
    results.push(...syncChecks(full));

    const [first] = catalog.streams;
    const selects = capabilities.includes("catalog") || capabilities.includes("properties");
    if (!selects) {
      results.push(skip("stream_deselection", "the tap does not claim the catalog capability"));
      results.push(skip("property_deselection", "the tap does not claim the catalog capability"));
      results.push(await resumeCheck(full, capabilities, catalog, work, (extra) => sync("resume", selectAll(catalog), extra)));
      return results;
    }
    if (first === undefined) {
      results.push(skip("stream_deselection", "the catalog has no stream"));
    } else {
      const deselected = await sync("deselected", selectAll(catalog, { stream: first.tap_stream_id, breadcrumb: [], selected: false }));
      const leaked = deselected.messages.find((item) => item.known && (item.message.type === "RECORD" || item.message.type === "SCHEMA") && item.message.stream === first.tap_stream_id);
      results.push(leaked === undefined ? pass("stream_deselection", `nothing emitted for deselected stream ${first.tap_stream_id}`) : fail("stream_deselection", `line ${leaked.line}: a ${leaked.message.type} for deselected stream ${first.tap_stream_id}`));
    }

    const target = deselectableProperty(catalog);
    if (target === undefined) {
      results.push(skip("property_deselection", "no property can be deselected (all are automatic)"));
    } else {
      const projected = await sync("property", selectAll(catalog, { stream: target.stream, breadcrumb: ["properties", target.property], selected: false }));
      const leaked = records(projected).find((record) => record.stream === target.stream && target.property in record.record);
      const seen = records(projected).filter((record) => record.stream === target.stream).length;
      results.push(
        leaked !== undefined
          ? fail("property_deselection", `deselected property ${target.stream}.${target.property} still appears in records`)
          : seen === 0
            ? skip("property_deselection", `stream ${target.stream} emitted no records to check`)
            : pass("property_deselection", `${target.stream}.${target.property} absent from ${seen} record(s)`),
      );
    }

    results.push(await resumeCheck(full, capabilities, catalog, work, (extra) => sync("resume", selectAll(catalog), extra)));
    return results;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function resumeCheck(full: SyncOutput, capabilities: readonly string[], catalog: Catalog, work: string, syncWith: (extra: string[]) => Promise<SyncOutput>): Promise<CheckResult> {
  if (!capabilities.includes("state")) return skip("resume", "the tap does not claim the state capability");
  const firstStateIndex = full.messages.findIndex((item) => item.known && item.message.type === "STATE");
  if (firstStateIndex === -1) return skip("resume", "the first sync wrote no STATE");
  const firstState = (full.messages[firstStateIndex] as { message: { value: unknown } }).message.value;
  const keys = new Map(catalog.streams.map((stream) => [stream.tap_stream_id, stream.key_properties ?? []]));
  const before = new Set(
    full.messages.slice(0, firstStateIndex).flatMap((item) => (item.known && item.message.type === "RECORD" ? [identity(item.message.stream, item.message.record, keys.get(item.message.stream) ?? [])] : [])),
  );
  const stateFile = join(work, "state.json");
  writeFileSync(stateFile, JSON.stringify(firstState));
  const resumed = await syncWith(["--state", stateFile]);
  const again = records(resumed).find((record) => before.has(identity(record.stream, record.record, keys.get(record.stream) ?? [])));
  if (again !== undefined) return fail("resume", `resumed from the first STATE, it emitted again a record from before it (stream ${again.stream}: ${JSON.stringify(again.record).slice(0, 80)})`);
  if (full.stoppedAtLimit || resumed.stoppedAtLimit) return pass("resume", `no record from before the first STATE was emitted again (${before.size} checked; final STATEs not compared: the syncs were cut at --max-records)`);
  const [lastFull, lastResumed] = [states(full).at(-1), states(resumed).at(-1)];
  if (canonicalJson(lastResumed) !== canonicalJson(lastFull)) {
    return fail("resume", `the resumed sync ends with STATE ${JSON.stringify(lastResumed)?.slice(0, 80)}, the full one with ${JSON.stringify(lastFull)?.slice(0, 80)}`);
  }
  return pass("resume", `no record from before the first STATE emitted again (${before.size} checked); both syncs end at the same STATE`);
}
