import { RecordValidator, type MessageLine } from "../../protocol/index.js";
import type { SyncOutput } from "./capture.js";
import { fail, pass, skip, type CheckResult } from "./check-result.js";
import { saidOnStderr } from "../connector/probe-mode.js";

export const records = (output: SyncOutput) => output.messages.flatMap((item) => (item.known && item.message.type === "RECORD" ? [item.message] : []));
export const states = (output: SyncOutput): unknown[] =>
  output.messages.flatMap((item) => (item.known && item.message.type === "STATE" ? [item.message.value] : []));

/** The checks on one sync's output: exit, message order, records against schemas, keys, STATE values. */
/**
 * The checks of a full sync. One that sent no record fails `sync_exit`
 * unless `allowEmpty` (the record checks would pass on nothing), naming the
 * likely cause when the tap was handed a catalog; the record checks then
 * say they were skipped.
 */
export function syncChecks(output: SyncOutput, options: { readonly allowEmpty?: boolean; readonly handedCatalog?: string | undefined } = {}): CheckResult[] {
  const results: CheckResult[] = [];
  const empty = records(output).length === 0 && options.allowEmpty !== true;
  if (output.badLine !== undefined) results.push(fail("sync_exit", `stdout line ${output.badLine.line} is not a message: ${output.badLine.error}`));
  else if (output.timedOut) results.push(fail("sync_exit", "the sync did not finish within the timeout"));
  else if (output.spawnError !== undefined) results.push(fail("sync_exit", `it could not start (${output.spawnError})`));
  else if (output.stoppedAtLimit) results.push(pass("sync_exit", "stopped by the check at --max-records"));
  else if (output.exitCode === 0 && empty) {
    const cause =
      options.handedCatalog === undefined
        ? "an empty source?"
        : `it was handed every stream selected (${options.handedCatalog}): a tap that reads its catalog from ${options.handedCatalog === "--catalog" ? "--properties" : "--catalog"} needs --catalog-flag ${options.handedCatalog === "--catalog" ? "properties" : "catalog"}`;
    results.push(fail("sync_exit", `exited 0 but sent no record (${cause}); pass --allow-empty if no record is right for this config`));
  } else if (output.exitCode === 0) results.push(pass("sync_exit", `exited 0 after ${records(output).length} record(s)`));
  else results.push(fail("sync_exit", `exited with code ${String(output.exitCode)}: ${saidOnStderr(output.stderr)}`));

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
      if (typeof value !== "object" || value === null || Array.isArray(value))
        badState ??= `line ${item.line}: STATE value ${JSON.stringify(value)?.slice(0, 60)} is not a JSON object`;
    }
  }
  results.push(
    orderProblem === undefined
      ? pass("schema_before_record", `${schemas.size} stream(s), each SCHEMA before its records`)
      : fail("schema_before_record", orderProblem),
  );
  if (records(output).length === 0) {
    results.push(invalid === undefined ? skip("records_valid", "no record to check") : fail("records_valid", invalid));
    results.push(skip("keys_present", "no record to check"));
  } else {
    results.push(invalid === undefined ? pass("records_valid", "every record matches its stream's schema") : fail("records_valid", invalid));
    results.push(missingKey === undefined ? pass("keys_present", "key properties present and non-null in every record") : fail("keys_present", missingKey));
  }
  results.push(badState === undefined ? pass("state_valid", `${states(output).length} STATE message(s), all JSON objects`) : fail("state_valid", badState));
  return results;
}
