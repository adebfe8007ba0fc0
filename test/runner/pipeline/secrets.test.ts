import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agora } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";
import { pipelineProject } from "../../helpers/pipeline-project.js";

const root = tempDir("agora-secrets-");
const TOKEN = "tok-Z9f2-secret-value";

describe("secrets from the environment", () => {
  it("are masked in the runner's stderr, a connector's forwarded lines, the error and the run history", async () => {
    const dir = pipelineProject(join(root, "masked"), {
      tap: {
        command: "bash",
        args: [
          "-c",
          'echo "tap info: logging in with ${API_TOKEN}" >&2; echo "tap error: login refused for token ${API_TOKEN} at https://api.example/x?key=${API_TOKEN}" >&2; exit 1',
        ],
      },
      target: { command: "target-jsonl", config: { destination_path: "out" }, env: { NOTE: "${API_TOKEN}" } },
    });
    const result = await agora(dir, ["run", "p"], { API_TOKEN: TOKEN });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("bash | tap info: logging in with ***");
    // Its error line is said once, in the run's failure.
    expect(result.stderr).toContain("it said: tap error: login refused for token *** at https://api.example/x?key=***");
    expect(result.stderr).not.toContain(TOKEN);
    const runs = await agora(dir, ["--json", "runs", "list", "p"]);
    expect(runs.stdout).toContain("login refused for token ***");
    expect(runs.stdout).not.toContain(TOKEN);
  });

  it("and so are config values named like credentials, even when written in pipelines.toml", async () => {
    const dir = pipelineProject(join(root, "config-secret"), {
      tap: {
        command: "bash",
        args: ["-c", 'echo "tap error: the config was $(cat "$2")" >&2; exit 1', "tap"],
        config: { api_token: "literal-tok-777", region: "eu-west" },
      },
      target: { command: "target-jsonl", config: { destination_path: "out" } },
    });
    const result = await agora(dir, ["run", "p"]);
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr).toContain('"api_token":"***"');
    expect(result.stderr).toContain('"region":"eu-west"');
    expect(result.stderr).not.toContain("literal-tok-777");
  });
});
