import { existsSync } from "node:fs";
import { defineConfig } from "vitest/config";

// The Python fixtures start from the system's python3 where there is one: through a pyenv shim each
// start costs ~0.35 s instead of ~0.06 s, and the tests start Python some hundreds of times.
if (existsSync("/usr/bin/python3") && !(process.env["PATH"] ?? "").startsWith("/usr/bin:")) process.env["PATH"] = `/usr/bin:${process.env["PATH"] ?? ""}`;

// No test speaks TLS (every server is plain HTTP on 127.0.0.1), and Node reads NODE_EXTRA_CA_CERTS's bundle at
// every start: where a machine sets it (this one does), each of the suite's ~1,600 Node processes spent ~50 ms on it.
delete process.env["NODE_EXTRA_CA_CERTS"];

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // A real PostgreSQL server for the tests that need one (skipped, saying why, where none can start).
    globalSetup: ["test/setup/postgres.ts"],
    // A test fails when a process it ran says "looks like a bug".
    setupFiles: ["test/setup/bug-lines.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests spawn real connector processes on two cores (what CI has). A third file in flight keeps both
    // cores busy while another file waits on a timer (a lease to expire, an idle timeout, a schedule):
    // the whole suite in 223 s against 260 s with two (2 cores busy 1.91 of the time against 1.72).
    maxWorkers: 3,
    // Test files share their worker's loaded modules instead of loading them again per file (the whole suite in 202 s
    // against 223 s, and a fifth less CPU): a test leaves what is global (process.env, the working folder) as it found it.
    isolate: false,
  },
});
