import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { json, startServer } from "../helpers/http-server.js";
import { writeSampleParquet } from "../helpers/parquet.js";
import { postgresUrl } from "../helpers/postgres.js";
import { ROOT } from "../helpers/processes.js";

/**
 * Every ```sh block of README.md and docs/ runs as written, in a scratch
 * folder of its own, with `agora` and every connector on PATH (as after
 * `npm link`) and in the scratch folder's node_modules/.bin (as after a
 * local install), so that `npx tap-sample` finds ours there. Without that,
 * npx installs this repository into its cache to find the bin, which runs
 * its `prepare` script: a build rewriting dist/ under the other tests' feet.
 * A block that cannot run says why in an HTML comment right above it,
 * `<!-- not run: reason -->`; a block that needs what the page set up
 * before it (a pipelines.toml shown above it, a config file its prose
 * assumes) is named with `<!-- example: NAME -->` and prepared below.
 */
interface Block {
  readonly page: string;
  readonly line: number;
  readonly text: string;
  readonly name: string | undefined;
  readonly notRun: string | undefined;
}

const PAGES = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((file) => file.endsWith(".md"))
    .map((file) => `docs/${file}`),
  ...readdirSync(join(ROOT, "docs", "connectors")).map((file) => `docs/connectors/${file}`),
];

function blocksOf(page: string): Block[] {
  const text = readFileSync(join(ROOT, page), "utf8");
  const blocks: Block[] = [];
  for (const match of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const before = text.slice(0, match.index).trimEnd();
    // The comment right above the fence, if there is one.
    const comment = before.endsWith("-->") ? /^<!--\s*(example|not run):\s*([\s\S]*?)\s*-->$/.exec(before.slice(before.lastIndexOf("<!--"))) : null;
    blocks.push({
      page,
      line: before.split("\n").length + 1,
      text: match[1] as string,
      name: comment?.[1] === "example" ? comment[2] : undefined,
      notRun: comment?.[1] === "not run" ? comment[2] : undefined,
    });
  }
  return blocks;
}

/** The fenced block right after `<!-- example: NAME -->` in a page. */
function example(page: string, name: string): string {
  const text = readFileSync(join(ROOT, page), "utf8");
  const at = text.indexOf(`<!-- example: ${name} -->`);
  const block = /```[a-z]*\n([\s\S]*?)```/.exec(text.slice(at));
  if (at === -1 || block === null) throw new Error(`${page} has no block named ${name}`);
  return block[1] as string;
}

const blocks = PAGES.flatMap(blocksOf);

// Scratch folders inside the repository (its tmp/ is ignored by git), so blocks find its node_modules as a project would.
mkdirSync(join(ROOT, "tmp"), { recursive: true });
const scratch = mkdtempSync(join(ROOT, "tmp", "doc-blocks-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `agora` and our connectors under their own names, as `npm link` or a local install puts them. */
const bin = join(scratch, "node_modules", ".bin");
mkdirSync(bin, { recursive: true });
const packageJson = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
for (const [name, file] of Object.entries(packageJson.bin)) symlinkSync(join(ROOT, file), join(bin, name));

/** A small API for tap-rest's page. */
const api = await startServer((request, response) => {
  if (request.path === "/orders")
    return json(response, {
      data: [
        { id: 1, total: 9.5 },
        { id: 2, total: 12 },
      ],
    });
  response.writeHead(404).end();
  return undefined;
});

const writeJson = (dir: string, file: string, value: unknown): void => writeFileSync(join(dir, file), JSON.stringify(value));
const linkExamples = (dir: string): void => symlinkSync(join(ROOT, "examples"), join(dir, "examples"));

/** What a block needs that its page set up before it: by example name, or by page for the connector pages. */
const SETUP: Record<string, (dir: string) => void> = {
  "readme-select": (dir) => writeFileSync(join(dir, "pipelines.toml"), example("README.md", "readme-pipeline")),
  "readme-other-languages": (dir) => {
    linkExamples(dir);
    writeJson(dir, "target.json", { destination_path: "out" });
  },
  "readme-agora-test": linkExamples,
  "docs/airbyte.md": linkExamples,
  "catalog-commands": (dir) => writeFileSync(join(dir, "pipelines.toml"), example("docs/runner.md", "catalog-toml")),
  "docs/connectors/tap-csv.md": (dir) => {
    writeFileSync(join(dir, "orders.csv"), "id,total\n1,9.50\n2,12\n");
    writeJson(dir, "config.json", { files: [{ path: "orders.csv", key_properties: ["id"] }] });
    writeJson(dir, "state.json", {});
  },
  "docs/connectors/tap-jsonl.md": (dir) => {
    writeFileSync(join(dir, "orders.jsonl"), '{"id":1,"total":9.5}\n{"id":2,"total":12}\n');
    writeJson(dir, "config.json", { files: [{ path: "orders.jsonl", key_properties: ["id"] }] });
    writeJson(dir, "state.json", {});
  },
  "docs/connectors/tap-parquet.md": (dir) => {
    writeSampleParquet(join(dir, "orders.parquet"), { rows: 20, rowGroupSize: 8 });
    writeJson(dir, "config.json", { files: [{ path: "orders.parquet", key_properties: ["id"] }] });
    writeJson(dir, "state.json", {});
  },
  "docs/connectors/tap-rest.md": (dir) => {
    writeJson(dir, "config.json", { base_url: api.url, streams: [{ name: "orders", path: "/orders", records_path: "data", primary_key: ["id"] }] });
    writeJson(dir, "state.json", {});
  },
  "docs/connectors/tap-sample.md": (dir) => {
    writeJson(dir, "config.json", { users: 10, orders: 20 });
    writeJson(dir, "state.json", {});
  },
  "docs/connectors/target-csv.md": (dir) => writeJson(dir, "config.json", { destination_path: "out" }),
  "docs/connectors/target-jsonl.md": (dir) => writeJson(dir, "config.json", { destination_path: "out" }),
  "docs/connectors/target-sqlite.md": (dir) => writeJson(dir, "config.json", { database: "out.db" }),
  "docs/connectors/target-parquet.md": (dir) => writeJson(dir, "config.json", { destination_path: "out" }),
  "docs/connectors/target-duckdb.md": (dir) => writeJson(dir, "config.json", { database: "out.duckdb" }),
  "docs/connectors/target-postgres.md": (dir) => {
    const schema = `docs_${folders}`;
    writeJson(dir, "config.json", { url: postgres, schema });
  },
};

/** Blocks that need the test Postgres server (skipped, saying why, where none could start). */
const postgres = postgresUrl();
const NEEDS_POSTGRES = new Set(["docs/connectors/target-postgres.md"]);

let folders = 0;

describe("every shell block in README.md and docs/", () => {
  it("has a reason when it is not run, and every setup here names a block that exists", () => {
    expect(blocks.length).toBeGreaterThan(20);
    const keys = new Set(blocks.flatMap((block) => [block.name, block.page]));
    expect(Object.keys(SETUP).filter((key) => !keys.has(key))).toEqual([]);
    for (const block of blocks) if (block.notRun !== undefined) expect(block.notRun.length, `${block.page}:${block.line}`).toBeGreaterThan(10);
  });

  const runnable = blocks.filter((block) => block.notRun === undefined && (postgres !== undefined || !NEEDS_POSTGRES.has(block.page)));
  it.each(runnable.map((block) => [`${block.page}:${block.line}`, block] as const))(
    "%s runs as written",
    async (_, block) => {
      const dir = join(scratch, `b${(folders += 1)}`);
      mkdirSync(dir);
      SETUP[block.name ?? ""]?.(dir);
      SETUP[block.page]?.(dir);
      const result = await execa("bash", ["-euo", "pipefail", "-c", block.text], {
        cwd: dir,
        reject: false,
        env: { PATH: `${bin}:${process.env["PATH"] ?? ""}` },
        stdin: "ignore",
        timeout: 120_000,
      });
      expect(result.exitCode, `${relative(ROOT, dir)}: ${String(result.stderr)}`).toBe(0);
      expect(String(result.stderr)).not.toMatch(/ error: |\[UNEXPECTED\]/);
    },
    150_000,
  );
});
