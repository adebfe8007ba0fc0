import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runCommandToEnd, spawnCommand } from "../../../runner/process/spawn-command.js";
import { tempDir } from "../../helpers/processes.js";

let dir: string;
beforeEach(() => {
  dir = tempDir("agora-spawn-");
});

/** A bash script in `folder`, made executable. */
function script(folder: string, name: string, body: string): string {
  mkdirSync(folder, { recursive: true });
  const path = join(folder, name);
  writeFileSync(path, `#!/usr/bin/env bash\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe("runCommandToEnd", () => {
  it("gives the exit code, stdout and stderr without their last line break, and feeds its input", async () => {
    const result = await runCommandToEnd("bash", ["-c", 'read line; echo "got $line"; echo "to stderr" >&2; exit 4'], {
      cwd: dir,
      timeoutMs: 10_000,
      input: "héllo\n",
    });
    expect(result).toEqual({ exitCode: 4, signal: undefined, timedOut: false, spawnError: undefined, stdout: "got héllo", stderr: "to stderr" });
  });

  it("says why a command could not start, with no exit code", async () => {
    const missing = await runCommandToEnd("no-such-command-here", [], { cwd: dir, timeoutMs: 10_000 });
    expect(missing).toMatchObject({ exitCode: undefined, spawnError: "spawn no-such-command-here ENOENT" });
    const notExecutable = join(dir, "plain.txt");
    writeFileSync(notExecutable, "not a program");
    expect(await runCommandToEnd(notExecutable, [], { cwd: dir, timeoutMs: 10_000 })).toMatchObject({
      exitCode: undefined,
      spawnError: `spawn ${notExecutable} EACCES`,
    });
  });

  it("kills a command past its timeout with SIGTERM, and says so", async () => {
    const result = await runCommandToEnd("bash", ["-c", "echo started; exec sleep 30"], { cwd: dir, timeoutMs: 300 });
    expect(result).toMatchObject({ timedOut: true, exitCode: undefined, signal: "SIGTERM", spawnError: undefined, stdout: "started" });
  });

  it("keeps the first maxBytes of an output and stops the command there", async () => {
    const result = await runCommandToEnd("bash", ["-c", "yes abcdefgh"], { cwd: dir, timeoutMs: 10_000, maxBytes: 1000 });
    expect(result.stdout).toBe(`${"abcdefgh\n".repeat(111)}a`);
    expect(result.signal).toBe("SIGTERM");
    expect(result.timedOut).toBe(false);
  });

  it("finds a command in the node_modules/.bin of its folder or a folder above, before PATH", async () => {
    script(join(dir, "node_modules", ".bin"), "tap-local", 'echo "from the project\'s own node_modules"');
    const nested = join(dir, "pipelines", "nested");
    mkdirSync(nested, { recursive: true });
    const result = await runCommandToEnd("tap-local", [], { cwd: nested, timeoutMs: 10_000 });
    expect(result).toMatchObject({ exitCode: 0, stdout: "from the project's own node_modules" });
  });

  it("adds its env to this process's environment", async () => {
    const result = await runCommandToEnd("bash", ["-c", 'echo "$AGORA_SPAWN_TEST ${HOME:+home-set}"'], {
      cwd: dir,
      env: { AGORA_SPAWN_TEST: "given" },
      timeoutMs: 10_000,
    });
    expect(result.stdout).toBe("given home-set");
  });
});

describe("spawnCommand", () => {
  it("streams a command's output and settles once it has ended", async () => {
    const child = spawnCommand("bash", ["-c", "cat; echo done"], { cwd: dir, stdin: "pipe" });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stdin.end("line 1\n");
    expect(await child.ended).toEqual({ exitCode: 0, signal: undefined, timedOut: false, spawnError: undefined });
    expect(out).toBe("line 1\ndone\n");
    // Killing an ended command does nothing.
    child.kill("SIGKILL");
  });

  it("reports a kill by its signal", async () => {
    const child = spawnCommand("bash", ["-c", "echo ready; exec sleep 30"], { cwd: dir, stdin: "ignore", ownProcessGroup: true });
    child.stdout.once("data", () => child.kill("SIGKILL"));
    expect(await child.ended).toMatchObject({ exitCode: undefined, signal: "SIGKILL" });
  });

  it("takes a child that is not in its own process group down with the process that started it", async () => {
    const pidFile = join(dir, "child.pid");
    const parent = join(dir, "parent.mjs");
    const module = new URL("../../../runner/process/spawn-command.ts", import.meta.url).pathname;
    writeFileSync(
      parent,
      `import { spawnCommand } from ${JSON.stringify(module)};
import { writeFileSync } from "node:fs";
const child = spawnCommand("sleep", ["30"], { cwd: ${JSON.stringify(dir)}, stdin: "ignore" });
writeFileSync(${JSON.stringify(pidFile)}, String(child.pid));
process.exit(0);\n`,
    );
    const exited = await new Promise<number | null>((resolve) =>
      spawn(process.execPath, ["--import", "tsx", parent], { stdio: "ignore" }).on("close", resolve),
    );
    expect(exited).toBe(0);
    const pid = Number(readFileSync(pidFile, "utf8"));
    // The child got SIGTERM as its parent exited: once it is reaped, signalling its pid fails.
    await expect.poll(() => isAlive(pid), { timeout: 10_000, interval: 50 }).toBe(false);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
