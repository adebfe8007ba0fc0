import { describe, expect, it } from "vitest";
import { fixtureBin, runNode } from "../../helpers/processes.js";

/* An SDK connector whose author wrote no connection check says so on --test_connection, instead of "connection ok". */
describe("--test_connection without a check", () => {
  it("a tap says nothing was checked but its config and discovery", async () => {
    const result = await runNode(fixtureBin("unchecked-connectors"), ["--test_connection"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr.trim()).toBe(
      "tap-unchecked warn: connection not checked: tap-unchecked defines no testConnection; its config is valid and discovery found 2 stream(s)",
    );
  });

  it("a target says nothing was checked but its config", async () => {
    const result = await runNode(fixtureBin("unchecked-connectors"), ["--target", "--test_connection"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr.trim()).toBe("target-unchecked warn: connection not checked: target-unchecked defines no testConnection; its config is valid");
  });
});
