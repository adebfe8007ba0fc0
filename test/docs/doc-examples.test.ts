import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { query } from "../helpers/files.js";
import { agora, projectIn } from "../helpers/project.js";
import { ROOT, tempDir } from "../helpers/processes.js";

const root = tempDir("agora-doc-examples-");

/** The fenced block right after `<!-- example: NAME -->` in a page. */
function example(page: string, name: string): string {
  const text = readFileSync(join(ROOT, page), "utf8");
  const marker = `<!-- example: ${name} -->`;
  const at = text.indexOf(marker);
  if (at === -1) throw new Error(`${page} has no ${marker}`);
  const block = /```[a-z]*\n([\s\S]*?)```/.exec(text.slice(at + marker.length));
  if (block === null) throw new Error(`${page}: no fenced block after ${marker}`);
  return block[1] as string;
}

const columns = (database: string, table: string): string[] =>
  query(database, `SELECT name FROM pragma_table_info('${table}') ORDER BY cid`).map((row) => String(row["name"]));

describe("the catalog example of docs/runner.md", () => {
  it("runs as written, and `agora select --list` prints what the page shows", async () => {
    const dir = projectIn(join(root, "runner-md"), example("docs/runner.md", "catalog-toml"));
    const listed = await agora(dir, ["select", "shop", "--list"]);
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(listed.stdout).toBe(example("docs/runner.md", "catalog-select-list"));
    const run = await agora(dir, ["run", "shop"]);
    expect(run.exitCode, run.stderr).toBe(0);
    const database = join(dir, "shop.db");
    expect(columns(database, "users")).toEqual(["id", "name", "score", "active", "signed_up_at", "city", "tags", "referrer_id"]);
    expect(columns(database, "orders")).toEqual(["id", "user_id", "total"]);
    expect(query(database, "SELECT count(*) AS n FROM orders")).toEqual([{ n: 500 }]);
  });
});

describe("the schema_changes example of docs/runner.md", () => {
  it("runs as written, and stops on a column people.csv gained, naming it, until the change is accepted", async () => {
    const dir = projectIn(join(root, "schema-changes"), example("docs/runner.md", "schema-changes-toml"));
    writeFileSync(join(dir, "people.csv"), "id,name\n1,ann\n");
    expect((await agora(dir, ["run", "people"])).exitCode).toBe(0);
    writeFileSync(join(dir, "people.csv"), "id,name,email\n1,ann,ann@example.com\n");
    const stopped = await agora(dir, ["run", "people"]);
    expect(stopped.exitCode).not.toBe(0);
    expect(stopped.stderr).toContain('new column its catalog lacks ("email")');
    expect((await agora(dir, ["discover", "people", "--refresh"])).stderr).toContain("people: + email (string or null)");
    expect((await agora(dir, ["run", "people"])).exitCode).toBe(0);
    expect(query(join(dir, "people.db"), "SELECT id, name, email FROM people")).toEqual([{ id: 1, name: "ann", email: "ann@example.com" }]);
  });
});

describe("the pipeline example of the README", () => {
  it("runs as written: the selected streams and properties, the middleware applied", async () => {
    const dir = projectIn(join(root, "readme"), example("README.md", "readme-pipeline"));
    const run = await agora(dir, ["run", "shop"]);
    expect(run.exitCode, run.stderr).toBe(0);
    const database = join(dir, "shop.db");
    expect(columns(database, "users")).not.toContain("email");
    expect(columns(database, "users")).toContain("name");
    const names = query(database, "SELECT name FROM users ORDER BY id LIMIT 2").map((row) => String(row["name"]));
    expect(names.every((name) => /^[0-9a-f]{64}$/.test(name))).toBe(true);
    expect(query(database, "SELECT count(*) AS n FROM orders")).toEqual([{ n: 500 }]);
  });
});

describe("the worker example of the README", () => {
  it("appended to the project agora init makes, loads and schedules its pipeline", async () => {
    const dir = join(root, "readme-worker");
    expect((await agora(root, ["init", dir])).exitCode).toBe(0);
    appendFileSync(join(dir, "pipelines.toml"), `\n${example("README.md", "readme-worker")}`);
    const listed = await agora(dir, ["--json", "worker", "--list"]);
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('"pipeline":"sample_every_15m","schedule":"every 15m"');
  });
});
