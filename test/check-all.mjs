#!/usr/bin/env node
/*
 * `npm test` after the bundle: the type check, the linter and the tests, side by side.
 *
 * The type check runs on one core for about 15 s and the linter for about 2; run before the tests,
 * the machine's other core sat idle that long. Here they run while the tests start, their output is
 * held until they end, and the first of them to fail stops the tests and fails the command (exit 1),
 * as running them first did. The type check writes no files: the test fixtures written in
 * TypeScript (test/fixtures/*.ts) are entries of the bundle, built into dist/test/fixtures/.
 *
 * Arguments go to vitest: `npm test -- test/runner/cli` runs one folder's tests, checks included.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name) => join(root, "node_modules", ".bin", name);

/** A check whose output is kept until it ends. */
function check(name, command, args) {
  const child = spawn(bin(command), args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  return new Promise((resolve) => child.on("close", (code) => resolve({ name, code: code ?? 1, output })));
}

const tests = spawn(bin("vitest"), ["run", ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
const testsDone = new Promise((resolve) => tests.on("close", (code) => resolve(code ?? 1)));

const checks = [check("tsc", "tsc", ["-p", "tsconfig.json", "--noEmit"]), check("biome", "biome", ["check", "--error-on-warnings"])];
for (const done of checks) {
  done.then(({ name, code, output }) => {
    if (code === 0) return;
    process.stderr.write(`\n${output}\n${name} failed (exit ${code}): the tests were stopped.\n`);
    tests.kill("SIGTERM");
    process.exitCode = 1;
  });
}
const results = await Promise.all(checks);
for (const { name, code, output } of results) if (code === 0) process.stdout.write(`${name}: ${output.trim() || "no problems"}\n`);
const testsCode = await testsDone;
if (results.some((result) => result.code !== 0)) process.exit(1);
process.exit(testsCode);
