import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runTargetSuite, TARGET_CHECKS } from "../../../runner/conformance/target-suite.js";
import { runTapSuite, TAP_CHECKS } from "../../../runner/conformance/tap-suite.js";
import { writeIn, writeJsonIn } from "../../helpers/files.js";
import { writeSampleParquet } from "../../helpers/parquet.js";
import { CLASSIC_TARGET_PY, agora } from "../../helpers/project.js";
import { examplePath, ROOT, tempDir } from "../../helpers/processes.js";

const dir = tempDir("agora-conformance-");
const BROKEN_TAP = `python3 ${join(ROOT, "test", "fixtures", "python", "broken_tap.py")}`;
const BROKEN_TARGET = `python3 ${join(ROOT, "test", "fixtures", "python", "broken_target.py")}`;

interface Report {
  passed: boolean;
  checks: Array<{ check: string; status: "pass" | "fail" | "skip"; reason: string }>;
}

async function test(kind: "tap" | "target", command: string, extra: string[] = []): Promise<{ exitCode: number | undefined; report: Report }> {
  const result = await agora(dir, ["--json", "test", kind, command, ...extra]);
  return { exitCode: result.exitCode, report: JSON.parse(result.stdout) as Report };
}

const failing = (report: Pick<Report, "checks">): string[] => report.checks.filter((check) => check.status === "fail").map((check) => check.check);

/*
 * The broken connectors' tests are about what each check finds: they run the suites in this
 * process, with `agora test`'s defaults, rather than an agora process each. What the command
 * adds (the --json and text reports, exit code 1 when a check fails) has its tests through agora.
 */
const tapChecks = async (command: string, config: string): Promise<Pick<Report, "checks">> => ({
  checks: await runTapSuite(command, { configFiles: [config], maxRecords: 1000, timeoutSeconds: 60, cwd: dir }),
});
const targetChecks = async (command: string, config: string, read: string): Promise<Pick<Report, "checks">> => ({
  checks: await runTargetSuite(command, { configFiles: [config], timeoutSeconds: 120, cwd: dir, read, reader: undefined }),
});

describe("agora test tap", () => {
  // One test per tap: each runs every check (several processes apiece), which takes a while on a busy machine.
  const taps: ReadonlyArray<readonly [string, () => string[]]> = [
    ["tap-sample", () => ["--max-records", "300"]],
    [
      "tap-csv",
      () => [
        "--config",
        writeJsonIn(dir, "csv.json", {
          files: [{ path: writeIn(dir, "fruit.csv", "id,name\n1,apple\n2,pear\n"), key_properties: ["id"] }],
          state_every_records: 1,
        }),
      ],
    ],
    [`python3 ${examplePath("python", "tap_countries.py")}`, () => []],
    [`bash ${examplePath("bash", "tap-counter.sh")}`, () => []],
    [
      "tap-jsonl",
      () => [
        "--config",
        writeJsonIn(dir, "jsonl.json", {
          files: [{ path: writeIn(dir, "veg.jsonl", '{"id":1,"name":"leek","tags":["green"]}\n{"id":2,"name":"kale","tags":[]}\n'), key_properties: ["id"] }],
          state_every_records: 1,
        }),
      ],
    ],
    [
      "tap-parquet",
      () => {
        const parquet = join(dir, "sales.parquet");
        writeSampleParquet(parquet, { rows: 50, rowGroupSize: 20 });
        return ["--config", writeJsonIn(dir, "parquet.json", { files: [{ path: parquet, key_properties: ["id"] }], state_every_records: 10 })];
      },
    ],
  ];
  it.each(taps)("passes %s", async (command, args) => {
    const { exitCode, report } = await test("tap", command, args());
    expect(failing(report)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(exitCode).toBe(0);
    // The Python tap claims state and catalog: every check ran.
    if (command.includes("tap_countries")) expect(report.checks.map((check) => check.status)).toEqual(TAP_CHECKS.map(() => "pass"));
  });

  it("prints one line per check and a closing count", async () => {
    const result = await agora(dir, ["test", "tap", `python3 ${examplePath("python", "tap_countries.py")}`]);
    const lines = result.stdout.trim().split("\n");
    expect(lines[1]).toMatch(/^PASS {2}about {17}tap-countries; capabilities: about, discover, catalog, state$/);
    expect(lines.at(-1)).toBe("14 passed, 0 failed, 0 skipped");
  });

  it.each(TAP_CHECKS.map((check) => [check]))("a tap broken for %s fails exactly that check", async (check) => {
    const report = await tapChecks(BROKEN_TAP, writeJsonIn(dir, `break-${check}.json`, { break: check }));
    expect(failing(report)).toEqual([check]);
  });

  it("the same tap, unbroken, passes every check", async () => {
    const report = await tapChecks(BROKEN_TAP, writeJsonIn(dir, "unbroken.json", {}));
    expect(report.checks.map((check) => [check.check, check.status])).toEqual(TAP_CHECKS.map((check) => [check, "pass"]));
  });
});

describe("agora test tap and a sync with no records", () => {
  const PROPERTIES_TAP = `python3 ${join(ROOT, "test", "fixtures", "python", "tap_classic_properties.py")}`;

  it("fails sync_exit naming the likely cause, and skips the record checks, instead of passing them on nothing", async () => {
    const { exitCode, report } = await test("tap", PROPERTIES_TAP);
    expect(exitCode).toBe(1);
    expect(report.passed).toBe(false);
    expect(failing(report)).toEqual(["sync_exit"]);
    expect(reasonOf(report, "sync_exit")).toContain(
      "exited 0 but sent no record (it was handed every stream selected (--catalog): a tap that reads its catalog from --properties needs --catalog-flag properties)",
    );
    expect(statusOf(report)).toMatchObject({ records_valid: "skip", keys_present: "skip" });
  });

  it("passes with --catalog-flag properties, which the tap reads, and an empty sync with --allow-empty", async () => {
    const { exitCode, report } = await test("tap", PROPERTIES_TAP, ["--catalog-flag", "properties"]);
    expect(failing(report)).toEqual([]);
    expect(exitCode).toBe(0);
    expect(reasonOf(report, "sync_exit")).toBe("exited 0 after 3 record(s)");
    const empty = await test("tap", PROPERTIES_TAP, ["--allow-empty"]);
    expect(failing(empty.report)).toEqual([]);
  });
});

describe("agora test target", () => {
  it("passes our targets (built-in readers) and the Python example", async () => {
    const runs = [
      await test("target", "target-sqlite", ["--config", writeJsonIn(dir, "t-sqlite.json", { database: "t.db" }), "--read", "sqlite:t.db"]),
      await test("target", "target-jsonl", ["--config", writeJsonIn(dir, "t-jsonl.json", { destination_path: "t-jsonl" }), "--read", "jsonl:t-jsonl"]),
      await test("target", "target-csv", ["--config", writeJsonIn(dir, "t-csv.json", { destination_path: "t-csv" }), "--read", "csv:t-csv"]),
      await test("target", `python3 ${examplePath("python", "target_jsonl.py")}`, [
        "--config",
        writeJsonIn(dir, "t-py.json", { destination_path: "t-py" }),
        "--read",
        "jsonl:t-py",
      ]),
    ];
    for (const { exitCode, report } of runs) {
      expect(report.checks.map((check) => [check.check, check.status])).toEqual(TARGET_CHECKS.map((check) => [check, "pass"]));
      expect(exitCode).toBe(0);
    }
  });

  it("reads back through a reader command, and skips read-back checks without one", async () => {
    const reader = writeIn(
      dir,
      "reader.sh",
      `for f in t-reader/*.jsonl; do s=$(basename "$f" .jsonl); while IFS= read -r line; do printf '{"stream":"%s","record":%s}\\n' "$s" "$line"; done < "$f"; done\n`,
    );
    const withReader = await test("target", "target-jsonl", [
      "--config",
      writeJsonIn(dir, "t-reader.json", { destination_path: "t-reader" }),
      "--reader",
      `bash ${reader}`,
    ]);
    expect(failing(withReader.report)).toEqual([]);
    expect(withReader.report.checks.find((check) => check.check === "records_arrived")?.status).toBe("pass");
    const blind = await test("target", "target-jsonl", ["--config", writeJsonIn(dir, "t-blind.json", { destination_path: "t-blind" })]);
    expect(blind.report.checks.filter((check) => check.status === "skip").map((check) => check.check)).toEqual(["durability", "records_arrived"]);
  });

  it.each(TARGET_CHECKS.map((check) => [check]))("a target broken for %s fails exactly that check", async (check) => {
    const config = writeJsonIn(dir, `tbreak-${check}.json`, { break: check, destination: `broken-${check}` });
    expect(failing(await targetChecks(BROKEN_TARGET, config, `jsonl:broken-${check}`))).toEqual([check]);
  });

  it("the same target, unbroken, passes every check", async () => {
    const report = await targetChecks(BROKEN_TARGET, writeJsonIn(dir, "tunbroken.json", { destination: "unbroken" }), "jsonl:unbroken");
    expect(report.checks.map((check) => check.status)).toEqual(TARGET_CHECKS.map(() => "pass"));
  });
});

const CLASSIC_TAP = `python3 ${join(ROOT, "test", "fixtures", "singer", "classic_tap.py")}`;
const CLASSIC_TARGET = `python3 ${CLASSIC_TARGET_PY}`;
const statusOf = (report: Report): Record<string, string> => Object.fromEntries(report.checks.map((check) => [check.check, check.status]));
const reasonOf = (report: Report, name: string): string => report.checks.find((check) => check.check === name)?.reason ?? "";

describe("agora test with classic Singer connectors (no false alarms on a correct peer)", () => {
  it("passes a classic tap with no --about, --discover or --test_connection, and still runs every sync check", async () => {
    const { exitCode, report } = await test("tap", CLASSIC_TAP, ["--config", writeJsonIn(dir, "classic-plain.json", { people: 4 })]);
    expect(statusOf(report)).toEqual({
      about: "skip",
      discover: "skip",
      catalog_schemas: "skip",
      catalog_keys: "skip",
      catalog_breadcrumbs: "skip",
      test_connection: "skip",
      sync_exit: "pass",
      schema_before_record: "pass",
      records_valid: "pass",
      keys_present: "pass",
      state_valid: "pass",
      stream_deselection: "skip",
      property_deselection: "skip",
      resume: "skip",
    });
    // The tap's own exit code and words, not a JSON parse error.
    expect(reasonOf(report, "about")).toContain("exit code 2: tap-classic: error: unrecognized arguments: --about");
    expect(reasonOf(report, "test_connection")).toContain("unrecognized arguments: --test_connection");
    expect(reasonOf(report, "resume")).toContain("no stream can resume");
    expect(exitCode).toBe(0);
  });

  it("reads a Meltano-style --about through --format json, and checks resume only where a stream can resume", async () => {
    const config = writeJsonIn(dir, "classic-full.json", { people: 5, events: 20, state_every: 4, discover: true, about: "meltano" });
    const { exitCode, report } = await test("tap", CLASSIC_TAP, ["--config", config]);
    expect(failing(report)).toEqual([]);
    expect(reasonOf(report, "about")).toBe("tap-classic; capabilities: catalog, properties, discover, state, about");
    // people is FULL_TABLE (re-sent in full, correctly); events re-sends the record at its inclusive bookmark.
    expect(report.checks.find((check) => check.check === "resume")).toEqual({
      check: "resume",
      status: "pass",
      reason: expect.stringContaining("events checked; 1 re-sent at the inclusive bookmark"),
    });
    expect(statusOf(report)["test_connection"]).toBe("skip");
    expect(statusOf(report)["property_deselection"]).toBe("pass");
    expect(exitCode).toBe(0);
  });

  it("fails a tap command that cannot even start, in one line saying so", async () => {
    const { exitCode, report } = await test("tap", "no-such-tap-command --verbose");
    expect(report.checks.find((check) => check.check === "about")).toEqual({
      check: "about",
      status: "fail",
      reason: "it could not start (spawn no-such-tap-command ENOENT): is the command right, installed and on PATH?",
    });
    expect(failing(report)).toEqual(["about", "sync_exit"]);
    expect(exitCode).toBe(1);
  });

  it("fails every check of a target command that cannot start, saying why, and passes none", async () => {
    const { exitCode, report } = await test("target", "no-such-target-command");
    const why = "it could not start (spawn no-such-target-command ENOENT): is the command right, installed and on PATH?";
    expect(report.checks.filter((check) => check.status === "pass")).toEqual([]);
    for (const name of ["exit", "state_order", "state_final", "durability", "records_arrived"])
      expect(report.checks.find((check) => check.check === name)).toEqual({ check: name, status: "fail", reason: why });
    expect(exitCode).toBe(1);
  });

  it("still fails a tap that resumes badly in a stream that can resume", async () => {
    // Lower-case types too: they are read like their upper-case forms.
    const config = writeJsonIn(dir, "classic-nostate.json", { events: 20, state_every: 4, people: 0, lowercase_types: true });
    const ignoring = writeIn(
      dir,
      "ignore-state.sh",
      `args=(); while [ $# -gt 0 ]; do if [ "$1" = --state ]; then shift 2; else args+=("$1"); shift; fi; done; exec ${CLASSIC_TAP} "\${args[@]}"\n`,
    );
    const { report } = await test("tap", `bash ${ignoring}`, ["--config", config]);
    expect(failing(report)).toEqual(["resume"]);
    expect(reasonOf(report, "resume")).toContain("emitted again a record from before it (stream events");
  });

  it.each([
    ["once, at exit", { flush_every: 0 }],
    ["after each flush, keys sorted, logging on stdout", { flush_every: 7, sort_keys: true, noise: true }],
  ])("passes a target that echoes the bare state %s, run from another directory with an absolute --read path", async (_how, options) => {
    const out = join(dir, `classic-target-${String(options.flush_every)}`);
    const config = writeJsonIn(dir, `classic-target-${String(options.flush_every)}.json`, { destination: out, ...options });
    const result = await agora(ROOT, ["--json", "test", "target", CLASSIC_TARGET, "--config", config, "--read", `jsonl:${out}`]);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.checks.map((check) => [check.check, check.status])).toEqual(TARGET_CHECKS.map((check) => [check, "pass"]));
    expect(result.exitCode).toBe(0);
  });
});
