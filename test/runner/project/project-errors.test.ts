import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../protocol/index.js";
import { loadConfig } from "../../../protocol/sdk/config.js";
import { projectFromValue } from "../../../runner/project/load-project.js";
import { resolvePipeline } from "../../../runner/project/resolve-pipeline.js";
import { writeJsonIn } from "../../helpers/files.js";
import { tempDir } from "../../helpers/processes.js";

const dir = tempDir("agora-project-errors-");

function problemsOf(value: unknown): string {
  try {
    projectFromValue(value, "/p/pipelines.toml");
  } catch (error) {
    return (error as ConfigError).toUserLine();
  }
  throw new Error("the project was accepted");
}

describe("an invalid pipelines.toml", () => {
  it("gets every problem in one line, enum values listed, oneOf forms explained by the closest one", () => {
    const line = problemsOf({
      pipelines: {
        p: { tap: { command: "tap-sample", bogus: 1 }, targets: [{ name: "x", streams: "orders" }, "y"], on_error: "ignore", colour: "red" },
        q: { tap: 5, target: "t" },
      },
    });
    expect(line).toBe(
      '/p/pipelines.toml: unknown setting "colour" in pipelines.p; unknown setting "bogus" in pipelines.p.tap; pipelines.p.targets.0.streams: must be array; pipelines.p.on_error: must be one of "dlq", "fail", "skip"; pipelines.q.tap: must be a connector name or a table with a command (or, in targets, { name = "..." }). See docs/runner.md for the pipelines.toml format. [PROJECT_INVALID]',
    );
  });
});

describe("a connector's cwd", () => {
  it("that does not exist is named as such, not as a command missing from PATH", () => {
    const project = projectFromValue(
      { pipelines: { p: { tap: { command: "tap-sample", cwd: "nowhere" }, target: "t" } }, connectors: { t: { command: "target-jsonl" } } },
      `${dir}/pipelines.toml`,
    );
    expect(() => resolvePipeline(project, "p")).toThrow(`pipelines.p.tap.cwd is ${dir}/nowhere, which does not exist`);
  });
});

describe("an invalid connector config", () => {
  it("gets every problem at once, and an error line never holds a newline", async () => {
    const file = writeJsonIn(dir, "bad.json", { count: "three", mode: "sideways", extra: 1 });
    const settings = { type: "object", additionalProperties: false, properties: { count: { type: "integer" }, mode: { enum: ["fast", "slow"] } } };
    let line = "";
    try {
      await loadConfig([file], settings, "tap-x");
    } catch (error) {
      line = (error as ConfigError).toUserLine();
    }
    expect(line).toBe(
      `tap-x, setting extra: setting "extra" is not a setting of this connector; setting "count" must be integer, not string; setting "mode" must be one of "fast", "slow". Fix them in ${file}; \`tap-x --about --format markdown\` lists every setting. [CONFIG_INVALID]`,
    );
    expect(new ConfigError("X", "first line\nsecond line", { hint: "Do this." }).toUserLine()).toBe("first line second line. Do this. [X]");
  });
});
