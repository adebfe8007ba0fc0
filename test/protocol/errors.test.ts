import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { asAgoraError } from "../../protocol/index.js";

/*
 * Errors of the machine, not of Agora, are said as such: running out of file descriptors (2,100
 * half-open connections did it to a worker) read as "This looks like a bug [UNEXPECTED]".
 */
describe("asAgoraError", () => {
  it("says a real EMFILE is the machine's limit of open files, with what to do, not a bug", async () => {
    // A child process with a limit of 30 open files opens until the system refuses: the error it prints is the real one.
    const script = `
      const { openSync } = require("node:fs");
      try { for (;;) openSync("/dev/null", "r"); } catch (error) { console.log(JSON.stringify({ code: error.code, syscall: error.syscall, message: error.message })); }
    `;
    const result = spawnSync("bash", ["-c", `ulimit -n 30; "${process.execPath}" -e '${script}'`], { encoding: "utf8" });
    const seen = JSON.parse(result.stdout) as { code: string; syscall: string; message: string };
    expect(seen.code).toBe("EMFILE");
    const error = asAgoraError(Object.assign(new Error(seen.message), seen));
    expect(error.code).toBe("OUT_OF_FILE_DESCRIPTORS");
    expect(error.kind).toBe("transient");
    expect(error.toUserLine()).toBe(
      "too many open files (EMFILE, in open). Raise the limit of open files (ulimit -n, or LimitNOFILE for a service), or run fewer pipelines at once ([worker] concurrency); nothing after the last confirmed STATE was lost. [OUT_OF_FILE_DESCRIPTORS]",
    );
    expect(error.toUserLine()).not.toContain("looks like a bug");
  });
});
