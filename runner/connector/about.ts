import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringifyJson, type Logger } from "../../protocol/index.js";
import type { SavedCheckpoint } from "../state/types.js";
import type { ConnectorDefinition } from "../definition.js";
import { runCommandToEnd } from "../process/spawn-command.js";

/** The forms of `--about`, in the order to try them: Meltano SDK connectors print text without `--format json`. */
export const ABOUT_FORMS: ReadonlyArray<readonly string[]> = [["--about", "--format", "json"], ["--about"]];

/** What a connector (tap or target) says about itself in its --about, as far as the runner cares. */
export interface ConnectorAbout {
  /** Undefined when it has no usable `--about` (many plain Singer taps). */
  readonly capabilities: readonly string[] | undefined;
  readonly version: string | undefined;
  /** Its settings schema, when its --about gives one (secret settings are masked by it). */
  readonly settings?: unknown;
  /** "airbyte" for a connector that answered `spec` with a SPEC message (see runner/airbyte/); undefined for Singer. */
  readonly protocol?: "airbyte";
  /** It exited non-zero when asked --about (as an Airbyte connector's argument parser does): worth asking its `spec`. */
  readonly aboutRefused?: true;
  /** A target's: the BATCH formats it reads, when its --about lists them. */
  readonly batchFormats?: readonly string[];
}

/**
 * True when a target checks every record against its stream's SCHEMA and
 * answers an invalid one with a DEAD_LETTER (as every Agora SDK target
 * does): its `--about` claims `validate-records` and `dead-letter`, and its
 * config does not set `validate_records = false`. Records it receives need
 * no validation by the runner.
 */
export function validatesRecords(about: ConnectorAbout | undefined, config: Readonly<Record<string, unknown>> | undefined): boolean {
  const capabilities = about?.capabilities ?? [];
  return (
    about?.protocol !== "airbyte" && capabilities.includes("validate-records") && capabilities.includes("dead-letter") && config?.["validate_records"] !== false
  );
}

/**
 * The BATCH formats a connector reads, from its `--about`: `batch_formats`,
 * or jsonl for one that only claims the `batch` capability (Meltano SDK
 * targets); none for one without `--about`.
 */
export function batchFormatsOf(about: ConnectorAbout): readonly string[] {
  return about.batchFormats ?? (about.capabilities?.includes("batch") === true ? ["jsonl"] : []);
}

/**
 * The tap's capabilities and version from `--about --format json` (Meltano
 * SDK taps print text without the flag) or `--about`. A tap without a usable
 * `--about` has undefined capabilities: it is assumed to accept `--state`,
 * as the Singer spec has every tap do.
 */
export async function askAbout(command: string, args: readonly string[], cwd: string, env: Readonly<Record<string, string>>): Promise<ConnectorAbout> {
  let refused = false;
  for (const flags of ABOUT_FORMS) {
    // Bounded: a plain tap that ignores --about runs a sync instead, which is stopped at 4 MiB of output.
    const result = await runCommandToEnd(command, [...args, ...flags], { cwd, env, timeoutMs: 30_000, maxBytes: ABOUT_MAX_BYTES });
    // It synced (Singer messages, or more output than any --about): no second form, which would sync again.
    if (ranASync(result.stdout) || result.stdout.length >= ABOUT_MAX_BYTES || result.stderr.length >= ABOUT_MAX_BYTES) return NO_ABOUT;
    if (result.exitCode !== 0) {
      refused = true;
      continue;
    }
    // Text, or a sync it ran instead: try the next form.
    const about = aboutFromJson(String(result.stdout));
    if (about !== undefined) return about;
  }
  return refused ? { ...NO_ABOUT, aboutRefused: true } : NO_ABOUT;
}

/** What an `--about --format json` answer says, as far as the runner cares; undefined for text or JSON without capabilities. */
export function aboutFromJson(text: string): ConnectorAbout | undefined {
  let about: { capabilities?: unknown; version?: unknown; settings?: unknown; batch_formats?: unknown };
  try {
    about = JSON.parse(text) as typeof about;
  } catch {
    return undefined;
  }
  if (about === null || typeof about !== "object" || !Array.isArray(about.capabilities)) return undefined;
  const strings = (list: unknown[]): string[] => list.filter((item): item is string => typeof item === "string");
  return {
    capabilities: strings(about.capabilities),
    version: typeof about.version === "string" ? about.version : undefined,
    settings: about.settings,
    ...(Array.isArray(about.batch_formats) ? { batchFormats: strings(about.batch_formats) } : {}),
  };
}

const NO_ABOUT: ConnectorAbout = { capabilities: undefined, version: undefined };

/** Longest --about answer read, on stdout or stderr; a tap that writes more is taken to have no --about. */
const ABOUT_MAX_BYTES = 4 * 1024 * 1024;

/** True if the output starts like a sync's: a Singer message line. */
function ranASync(stdout: string): boolean {
  return /^\s*\{\s*"type"\s*:\s*"(SCHEMA|RECORD|STATE|BATCH|ACTIVATE_VERSION)"/i.test(stdout.slice(0, 200));
}

/**
 * The arguments that hand the saved checkpoint to the tap (`--state FILE`,
 * written into `workDir`), or none when there is no checkpoint, the pipeline
 * says not to (`resume = false`) or the tap cannot resume.
 */
export function stateArgs(
  tap: ConnectorDefinition,
  about: ConnectorAbout,
  saved: SavedCheckpoint | undefined,
  resume: boolean,
  workDir: string,
  pipeline: string,
  logger: Logger,
): string[] {
  if (saved === undefined) return [];
  if (!resume) {
    logger.info(`pipeline ${pipeline}: not handing ${tap.name} the checkpoint (resume = false); it starts from the beginning`);
    return [];
  }
  if (about.capabilities !== undefined && !about.capabilities.includes("state")) {
    logger.info(`pipeline ${pipeline}: ${tap.name} cannot resume (no "state" capability); running it from the start`);
    return [];
  }
  const stateFile = join(workDir, "state.json");
  writeFileSync(stateFile, stringifyJson(saved.state), { mode: 0o600 });
  logger.info(`pipeline ${pipeline}: resuming from the checkpoint saved ${saved.updatedAt}`);
  return ["--state", stateFile];
}
