import { cpSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, run, tempDir } from "../../helpers/processes.js";
import { tableRows } from "../../helpers/files.js";

/*
 * Agora as a user installs it: the package packed as npm would publish it, installed globally
 * into a scratch prefix (its dependencies from npm's cache, where this checkout's install put
 * them), then `agora init` and `agora run sample` in a folder outside the repository. The
 * install skips install scripts: the one native binding (better-sqlite3's) is copied from this
 * checkout's build, since compiling it again would test better-sqlite3's build, not ours.
 */
describe("the installed package", () => {
  it("installs from its packed tarball, ships its docs and no tests, and runs the quick start outside the repository", async () => {
    const scratch = tempDir("agora-package-");
    const packed = await run("npm", ["pack", "--ignore-scripts", "--pack-destination", scratch], { cwd: ROOT });
    expect(packed.exitCode, packed.stderr).toBe(0);
    const tarball = readdirSync(scratch).find((file) => file.endsWith(".tgz"));
    expect(tarball).toMatch(/^agora-etl-\d+\.\d+\.\d+\.tgz$/);
    const prefix = join(scratch, "prefix");
    const installed = await run(
      "npm",
      ["install", "--global", "--prefix", prefix, join(scratch, tarball as string), "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund"],
      { cwd: scratch },
    );
    expect(installed.exitCode, installed.stderr).toBe(0);
    const home = join(prefix, "lib", "node_modules", "agora-etl");
    cpSync(join(ROOT, "node_modules", "better-sqlite3", "build"), join(home, "node_modules", "better-sqlite3", "build"), { recursive: true });
    // The docs its errors point to are there; its tests and source maps are not.
    expect(existsSync(join(home, "docs", "runner.md"))).toBe(true);
    expect(existsSync(join(home, "docs", "airbyte.md"))).toBe(true);
    expect(existsSync(join(home, "dist", "test"))).toBe(false);
    expect(existsSync(join(home, "dist", "runner", "cli", "bin.js.map"))).toBe(false);
    const project = join(scratch, "project");
    const env = { PATH: `${join(prefix, "bin")}:${process.env["PATH"] ?? ""}` };
    const init = await run("agora", ["init", project], { cwd: scratch, env });
    expect(init.exitCode, init.stderr).toBe(0);
    const sample = await run("agora", ["run", "sample"], { cwd: project, env });
    expect(sample.exitCode, sample.stderr).toBe(0);
    expect(sample.stderr).toContain("pipeline sample succeeded");
    expect(tableRows(join(project, "warehouse.db"), "users")).toHaveLength(1000);
    // The connectors are on PATH under their own names too.
    const about = await run("tap-csv", ["--about", "--format", "json"], { cwd: project, env });
    expect(JSON.parse(about.stdout) as { name: string }).toMatchObject({ name: "tap-csv" });
  }, 120_000);
});
