import { describe, expect, it } from "vitest";
import { agora } from "../../helpers/project.js";
import { postgresUrl } from "../../helpers/postgres.js";
import { connectorBin, runNode, tempDir } from "../../helpers/processes.js";
import { writeJsonIn } from "../../helpers/files.js";
import { writeProject } from "../../helpers/pipeline-project.js";

/*
 * A URL asking for SSL (sslmode=require) against a server without it (the test server). Before,
 * the state store said "This looks like a bug [UNEXPECTED]", and target-postgres masked its whole
 * URL as ***. Now both say what is wrong in one line, and the host shows.
 */
const url = postgresUrl();

describe.skipIf(url === undefined)("sslmode=require against a server without SSL", () => {
  it("is one line for the state store and for target-postgres, naming the setting, with the host shown", async () => {
    const ssl = `${url as string}?sslmode=require`;
    const dir = writeProject(tempDir("agora-ssl-"), { state_store: ssl, pipelines: { p: { tap: "tap-sample", target: "target-jsonl" } } });
    const listed = await agora(dir, ["runs", "list"]);
    expect(listed.exitCode).not.toBe(0);
    expect(listed.stderr).toContain("the Postgres server does not accept SSL connections, and the URL asks for them (sslmode)");
    expect(listed.stderr).not.toContain("looks like a bug");

    const config = writeJsonIn(dir, "target.json", { url: ssl, schema: "ssl_test" });
    const target = await runNode(connectorBin("target-postgres"), ["--config", config], {
      input: '{"type":"SCHEMA","stream":"s","schema":{"type":"object","properties":{"id":{"type":"integer"}}},"key_properties":[]}\n',
    });
    expect(target.exitCode).toBe(3);
    expect(target.stderr).toContain("the server does not accept SSL connections, and the url asks for them (sslmode)");
    expect(target.stderr).toContain(new URL(url as string).host);
    expect(target.stderr).toContain("[POSTGRES_NO_SSL]");
  });
});
