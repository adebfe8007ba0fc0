import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // A real PostgreSQL server for the tests that need one (skipped, saying why, where none can start).
    globalSetup: ["test/setup/postgres.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests spawn real connector processes; two cores is what CI has.
    maxWorkers: 2,
  },
});
