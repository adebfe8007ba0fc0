import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, run, tempDir } from "../../helpers/processes.js";
import { agora } from "../../helpers/project.js";

/*
 * `agora new` makes connectors that pass `agora test` as made, in both languages, and whose own
 * tests pass: the generator runs through the CLI, then the connector's tests (unittest, or
 * Node's test runner on the compiled TypeScript), then `agora test` on the result. The TypeScript
 * ones compile against this checkout as their agora-etl (linked, as `npm link agora-etl` would).
 */
interface Report {
  readonly passed: boolean;
  readonly checks: ReadonlyArray<{ check: string; status: string; reason: string }>;
}

async function made(kind: "tap" | "target", lang: "ts" | "python"): Promise<{ dir: string; entry: string }> {
  const parent = tempDir("agora-new-");
  const name = `${kind}-widgets`;
  const result = await agora(parent, ["new", kind, name, "--lang", lang]);
  expect(result.exitCode, result.stderr).toBe(0);
  const dir = join(parent, name);
  if (lang === "python") return { dir, entry: `python3 ${name.replace(/-/g, "_")}.py` };
  mkdirSync(join(dir, "node_modules", "@types"), { recursive: true });
  symlinkSync(ROOT, join(dir, "node_modules", "agora-etl"));
  symlinkSync(join(ROOT, "node_modules", "typescript"), join(dir, "node_modules", "typescript"));
  symlinkSync(join(ROOT, "node_modules", "@types", "node"), join(dir, "node_modules", "@types", "node"));
  const built = await run(process.execPath, [join(dir, "node_modules", "typescript", "bin", "tsc"), "-p", dir], { cwd: dir });
  expect(built.exitCode, built.stdout).toBe(0);
  return { dir, entry: "node dist/index.js" };
}

async function ownTests(dir: string, lang: "ts" | "python"): Promise<void> {
  const result =
    lang === "python"
      ? await run("python3", ["-m", "unittest", "discover", "-s", "tests"], { cwd: dir })
      : await run(process.execPath, ["--test", "test/"], { cwd: dir });
  expect(result.exitCode, `${result.stdout}${result.stderr}`).toBe(0);
}

async function conformance(dir: string, args: string[]): Promise<Report> {
  const result = await agora(dir, ["--json", "test", ...args]);
  const report = JSON.parse(result.stdout) as Report;
  expect(report.checks.filter((check) => check.status !== "pass")).toEqual([]);
  expect(result.exitCode).toBe(0);
  return report;
}

describe.each(["python", "ts"] as const)("agora new --lang %s", (lang) => {
  it("makes a tap whose tests pass and that passes every check of agora test tap", async () => {
    const { dir, entry } = await made("tap", lang);
    await ownTests(dir, lang);
    const report = await conformance(dir, ["tap", entry, "--config", "config.example.json"]);
    expect(report.checks.map((check) => check.check)).toContain("resume");
    const readme = readFileSync(join(dir, "README.md"), "utf8");
    expect(readme.startsWith("# tap-widgets\n")).toBe(true);
    expect(readme).toContain("count");
    expect(readme).toContain(`agora test tap "${entry}" --config config.example.json`);
  });

  it("makes a target whose tests pass and that passes every check of agora test target, read back", async () => {
    const { dir, entry } = await made("target", lang);
    await ownTests(dir, lang);
    await conformance(dir, ["target", `${entry} --config config.example.json`, "--read", "jsonl:output"]);
  });
});

describe("agora new", () => {
  it("refuses a folder that is not empty, and a name that cannot be a command", async () => {
    const parent = tempDir("agora-new-refused-");
    expect((await agora(parent, ["new", "tap", "tap-x", "--lang", "python"])).exitCode).toBe(0);
    const again = await agora(parent, ["new", "tap", "tap-x"]);
    expect(again.stderr).toContain("exists and is not empty");
    const bad = await agora(parent, ["new", "tap", "../evil"]);
    expect(bad.stderr).toContain('"../evil" cannot be a connector\'s name');
  });
});
