import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, tempDir } from "../../helpers/processes.js";
import { agora } from "../../helpers/project.js";

/* `agora test airbyte-source` and `airbyte-destination` through the CLI, on the Python examples and on broken ones. */
const SOURCE = `python3 ${join(ROOT, "examples", "airbyte", "source_items.py")}`;
const DESTINATION = `python3 ${join(ROOT, "examples", "airbyte", "destination_items.py")}`;

interface Report {
  readonly passed: boolean;
  readonly checks: ReadonlyArray<{ check: string; status: string; reason: string }>;
}

async function test(dir: string, args: string[]): Promise<{ exitCode: number | undefined; report: Report }> {
  const result = await agora(dir, ["--json", "test", ...args]);
  return { exitCode: result.exitCode, report: JSON.parse(result.stdout) as Report };
}

const statuses = (report: Report): Record<string, string> => Object.fromEntries(report.checks.map((check) => [check.check, check.status]));

describe("agora test airbyte-source", () => {
  it("passes a source that answers every command and resumes from its own state", async () => {
    const dir = tempDir("agora-airbyte-suite-");
    writeFileSync(join(dir, "good.json"), JSON.stringify({ api_key: "k", users: 4, events: 4 }));
    const { exitCode, report } = await test(dir, ["airbyte-source", SOURCE, "--config", "good.json"]);
    expect(exitCode).toBe(0);
    expect(statuses(report)).toEqual({
      spec: "pass",
      check: "pass",
      "check refuses a bad config": "pass",
      discover: "pass",
      read: "pass",
      "incremental read": "pass",
    });
  });

  it("fails one that starts over whatever state it is handed, and one whose check takes a bad config", async () => {
    const dir = tempDir("agora-airbyte-suite-");
    writeFileSync(join(dir, "forgets.json"), JSON.stringify({ api_key: "k", users: 4, events: 4, ignore_state: true }));
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ api_key: "accepted-anyway" }));
    const { exitCode, report } = await test(dir, ["airbyte-source", SOURCE, "--config", "forgets.json", "--bad-config", "bad.json"]);
    expect(exitCode).toBe(1);
    expect(statuses(report)).toMatchObject({ "check refuses a bad config": "fail", "incremental read": "fail" });
    expect(report.checks.find((check) => check.check === "incremental read")?.reason).toContain("it read app-users, events again from the start");
  });
});

describe("agora test airbyte-destination", () => {
  it("passes a destination that echoes every STATE in order", async () => {
    const dir = tempDir("agora-airbyte-suite-");
    writeFileSync(join(dir, "dest.json"), JSON.stringify({ database: "t.db" }));
    const { exitCode, report } = await test(dir, ["airbyte-destination", DESTINATION, "--config", "dest.json"]);
    expect(exitCode).toBe(0);
    expect(statuses(report)).toEqual({ spec: "pass", check: "pass", "check refuses a bad config": "pass", write: "pass", "state echoes": "pass" });
  });

  it("fails one that echoes its states out of order", async () => {
    const dir = tempDir("agora-airbyte-suite-");
    writeFileSync(join(dir, "dest.json"), JSON.stringify({ database: "t.db" }));
    writeFileSync(
      join(dir, "reversed.py"),
      [
        "import json, sys",
        "if sys.argv[1] == 'spec': print(json.dumps({'type': 'SPEC', 'spec': {'connectionSpecification': {'type': 'object'}}})); sys.exit()",
        "if sys.argv[1] == 'check': print(json.dumps({'type': 'CONNECTION_STATUS', 'connectionStatus': {'status': 'SUCCEEDED' if json.load(open(sys.argv[3])) else 'FAILED'}})); sys.exit()",
        "states = [line for line in sys.stdin if json.loads(line)['type'] == 'STATE']",
        "for line in reversed(states): sys.stdout.write(line)",
      ].join("\n"),
    );
    const { exitCode, report } = await test(dir, ["airbyte-destination", "python3 reversed.py", "--config", "dest.json"]);
    expect(exitCode).toBe(1);
    expect(report.checks.find((check) => check.check === "state echoes")).toMatchObject({
      status: "fail",
      reason: expect.stringContaining("echoed states [3,2,1] where [1,2,3] were sent") as unknown as string,
    });
  });
});
