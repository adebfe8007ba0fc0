import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Catalog } from "../../catalogs/index.js";
import { checkAbout } from "./about-check.js";
import { runCommandToEnd } from "../process/spawn-command.js";
import { captureSync, type SyncOutput } from "./capture.js";
import { checkCatalog, deselectableProperty, selectAll } from "./catalog-checks.js";
import { fail, pass, skip, type CheckResult } from "./check-result.js";
import { howItEnded, ranASync } from "../connector/probe-mode.js";
import { checkResume } from "./resume-check.js";
import { records, syncChecks } from "./sync-checks.js";

export interface SuiteOptions {
  readonly configFiles: readonly string[];
  readonly maxRecords: number;
  readonly timeoutSeconds: number;
  readonly cwd: string;
  /** A sync with no records passes; by default it fails, as its record checks checked nothing. */
  readonly allowEmpty?: boolean;
  /** The flag the catalog goes by; by default what --about says, else --catalog. */
  readonly catalogFlag?: "--catalog" | "--properties";
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

const CATALOG_CHECKS = ["discover", "catalog_schemas", "catalog_keys", "catalog_breadcrumbs"] as const;

/**
 * Discovery is optional in Singer: a tap that does not claim it, or (with no
 * `--about`) rejects `--discover`, has its catalog checks skipped and is
 * synced without a catalog. One that claims it must pass them.
 */
async function checkDiscovery(
  command: string,
  config: readonly string[],
  capabilities: readonly string[] | undefined,
  cwd: string,
  timeoutMs: number,
): Promise<{ results: CheckResult[]; catalog: Catalog | undefined }> {
  const skipAll = (reason: string) => ({ results: CATALOG_CHECKS.map((check) => skip(check, reason)), catalog: undefined });
  if (capabilities !== undefined && !capabilities.includes("discover")) return skipAll("the tap does not claim discover (optional in Singer)");
  const discover = await runCommandToEnd(command, [...config, "--discover"], { cwd, timeoutMs });
  if (capabilities === undefined && discover.exitCode !== 0)
    return skipAll(`no discovery mode (optional in Singer): --discover ended with ${howItEnded(discover)}`);
  if (capabilities === undefined && ranASync(discover.stdout)) return skipAll("no discovery mode (optional in Singer): given --discover it ran a sync");
  if (discover.exitCode !== 0) return { results: [fail("discover", `--discover ended with ${howItEnded(discover)}`)], catalog: undefined };
  return checkCatalog(discover.stdout);
}

/** `--test_connection` is checked when the tap claims it, or when it exits 0 on it. */
async function checkConnection(
  command: string,
  config: readonly string[],
  capabilities: readonly string[] | undefined,
  cwd: string,
  timeoutMs: number,
): Promise<CheckResult> {
  const claimed = capabilities?.some((item) => item === "test-connection" || item === "test_connection") === true;
  const connection = await runCommandToEnd(command, [...config, "--test_connection"], { cwd, timeoutMs });
  if (connection.exitCode === 0 && !ranASync(connection.stdout)) return pass("test_connection", "exited 0");
  if (claimed) return fail("test_connection", `--test_connection ended with ${howItEnded(connection)}`);
  if (connection.exitCode === 0) return skip("test_connection", "not claimed, and given --test_connection the tap ran a sync");
  return skip("test_connection", `not claimed (not part of the Singer spec); --test_connection ended with ${howItEnded(connection)}`);
}

/**
 * Runs a tap through its modes and reports each check. Every sync is
 * bounded by --max-records and the timeout, so large sources work too.
 */
export async function runTapSuite(command: string, options: SuiteOptions): Promise<CheckResult[]> {
  const timeoutMs = options.timeoutSeconds * 1000;
  const config = options.configFiles.flatMap((file) => ["--config", file]);
  const work = mkdtempSync(join(tmpdir(), "agora-test-"));
  try {
    const about = await checkAbout(command, config, options.cwd, timeoutMs);
    const { capabilities } = about;
    const discovery = await checkDiscovery(command, config, capabilities, options.cwd, timeoutMs);
    const { catalog } = discovery;
    const results = [about.result, ...discovery.results, await checkConnection(command, config, capabilities, options.cwd, timeoutMs)];

    // A tap that only knows the legacy flag gets the catalog as --properties.
    const catalogFlag =
      options.catalogFlag ?? (capabilities?.includes("properties") === true && !capabilities.includes("catalog") ? "--properties" : "--catalog");
    const sync = (name: string, selection: Catalog | undefined, extra: string[] = []): Promise<SyncOutput> => {
      const args = [...config, ...extra];
      if (selection !== undefined) {
        const file = join(work, `${name}.catalog.json`);
        writeFileSync(file, JSON.stringify(selection));
        args.push(catalogFlag, file);
      }
      return captureSync(command, args, options.cwd, options.maxRecords, timeoutMs);
    };
    const everything = catalog === undefined ? undefined : selectAll(catalog);
    const full = await sync("all", everything);
    results.push(...syncChecks(full, { allowEmpty: options.allowEmpty === true, handedCatalog: everything === undefined ? undefined : catalogFlag }));
    results.push(...(await deselectionChecks(catalog, capabilities, sync)));
    results.push(await checkResume(full, capabilities, catalog, work, (extra) => sync("resume", everything, extra)));
    return results;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function deselectionChecks(
  catalog: Catalog | undefined,
  capabilities: readonly string[] | undefined,
  sync: (name: string, selection: Catalog) => Promise<SyncOutput>,
): Promise<CheckResult[]> {
  const reason =
    catalog === undefined
      ? "needs a catalog from --discover"
      : capabilities === undefined
        ? "the tap has no --about saying it honours a catalog"
        : !capabilities.includes("catalog") && !capabilities.includes("properties")
          ? "the tap does not claim the catalog capability"
          : undefined;
  if (reason !== undefined || catalog === undefined) return [skip("stream_deselection", reason ?? ""), skip("property_deselection", reason ?? "")];
  const results: CheckResult[] = [];
  const [first] = catalog.streams;
  if (first === undefined) {
    results.push(skip("stream_deselection", "the catalog has no stream"));
  } else {
    const deselected = await sync("deselected", selectAll(catalog, { stream: first.tap_stream_id, breadcrumb: [], selected: false }));
    const leaked = deselected.messages.find(
      (item) => item.known && (item.message.type === "RECORD" || item.message.type === "SCHEMA") && item.message.stream === first.tap_stream_id,
    );
    results.push(
      leaked === undefined
        ? pass("stream_deselection", `nothing emitted for deselected stream ${first.tap_stream_id}`)
        : fail("stream_deselection", `line ${leaked.line}: a ${leaked.message.type} for deselected stream ${first.tap_stream_id}`),
    );
  }
  const target = deselectableProperty(catalog);
  if (target === undefined) {
    results.push(skip("property_deselection", "no property can be deselected (all are automatic)"));
    return results;
  }
  const projected = await sync("property", selectAll(catalog, { stream: target.stream, breadcrumb: ["properties", target.property], selected: false }));
  const leaked = records(projected).find((record) => record.stream === target.stream && Object.hasOwn(record.record, target.property));
  const seen = records(projected).filter((record) => record.stream === target.stream).length;
  results.push(
    leaked !== undefined
      ? fail("property_deselection", `deselected property ${target.stream}.${target.property} still appears in records`)
      : seen === 0
        ? skip("property_deselection", `stream ${target.stream} emitted no records to check`)
        : pass("property_deselection", `${target.stream}.${target.property} absent from ${seen} record(s)`),
  );
  return results;
}
