import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { writeIn } from "../../helpers/files.js";
import { writeProject } from "../../helpers/pipeline-project.js";
import { agora, PY_TAP, range, startAgoraInGroup, waitFor } from "../../helpers/project.js";
import { exited, ROOT, tempDir } from "../../helpers/processes.js";
import { runSucceeds } from "../../helpers/in-process-run.js";

const root = tempDir("agora-mw-");
const MAPPER = join(ROOT, "test", "fixtures", "python", "mapper_upper.py");

function rows(database: string): Array<Record<string, unknown>> {
  const db = new BetterSqlite3(database, { readonly: true });
  try {
    return db.prepare("SELECT * FROM items ORDER BY rowid").all() as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
}

/** Python's items tap into target-sqlite, through these middleware steps. */
function project(name: string, middleware: ReadonlyArray<Record<string, unknown>>, count = 40): string {
  return writeProject(join(root, name), {
    connectors: {
      items: { command: `python3 ${PY_TAP}`, config: { count, state_every: 10 } },
      db: { command: "target-sqlite", config: { database: "out.db" } },
    },
    pipelines: { items: { tap: "items", target: "db", concurrency: 16, middleware } },
  });
}

describe("middleware in a pipeline", () => {
  it("runs an async TypeScript module concurrently and still writes in source order, with its schema", async () => {
    const dir = project("module", [{ type: "module", path: "enrich.ts", options: { suffix: "!" } }]);
    writeIn(
      dir,
      "enrich.ts",
      `import type { RecordValue, StreamShape } from "${join(ROOT, "runner", "index.js").replace(/\\/g, "/")}";
const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
export function create(options: { suffix: string }) {
  return {
    transformSchema: (shape: StreamShape): StreamShape => ({ ...shape, schema: { ...shape.schema, properties: { ...(shape.schema["properties"] as object), shout: { type: "string" } } } }),
    async transform(record: RecordValue): Promise<RecordValue | null> {
      await wait(((record["id"] as number) * 37) % 23);
      if (record["id"] === 13) return null;
      if (record["id"] === 17) throw new Error("seventeen is unlucky");
      return { ...record, shout: String(record["name"]).toUpperCase() + options.suffix };
    },
  };
}
`,
    );
    const result = await agora(dir, ["run", "items"]);
    expect(result.exitCode).toBe(0);
    const stored = rows(join(dir, "out.db"));
    expect(stored.map((row) => row["id"])).toEqual(range(40).filter((id) => id !== 13 && id !== 17));
    expect(stored[0]).toMatchObject({ id: 1, shout: "ITEM 1!" });
    const [dead] = JSON.parse((await agora(dir, ["--json", "dlq", "list", "items"])).stdout) as Array<Record<string, unknown>>;
    expect(dead).toMatchObject({ stage: "middleware", errorMessage: "middleware[0] module: seventeen is unlucky", original: { id: 17 } });
  });

  it("runs an external mapper (Python) as a pool, keeping source order", async () => {
    const dir = project("mapper", [{ type: "mapper", command: `python3 ${MAPPER}`, workers: 3, config: { drop_ids: [5], sleep_ms: 2 } }], 120);
    const result = await agora(dir, ["run", "items"]);
    expect(result.exitCode).toBe(0);
    const stored = rows(join(dir, "out.db"));
    expect(stored.map((row) => row["id"])).toEqual(range(120).filter((id) => id !== 5));
    expect(stored[0]).toMatchObject({ name: "ITEM 1" });
    // Three worker processes shared the work.
    expect(new Set(stored.map((row) => row["mapped_by"])).size).toBe(3);
  });

  it("a mapper that prints a line that is not a Singer message: said as the mapper's own output line, not a line of the tap's", async () => {
    const dir = project("mapper-garbage", [{ type: "mapper", command: `python3 ${MAPPER}`, workers: 1, config: { garbage_ids: [4] } }], 8);
    const result = await agora(dir, ["run", "items"]);
    const dead = JSON.parse((await agora(dir, ["--json", "dlq", "list", "items"])).stdout) as Array<{
      errorCode: string;
      errorMessage: string;
      original: { id: number };
    }>;
    const said = [result.stderr, ...dead.map((letter) => letter.errorMessage)].join("\n");
    expect(said).toMatch(/wrote a line that is not a Singer message \(its output line \d+: /);
    expect(said).not.toContain("looks like a bug");
    // The records it held from then on are dead letters (replayable once it is fixed); the run goes on.
    expect(result.exitCode, result.stderr).toBe(0);
    expect(dead.map((letter) => [letter.original.id, letter.errorCode])[0]).toEqual([4, "MAPPER_OUTPUT_INVALID"]);
  });

  it("replaces a mapper worker that hangs: only the stuck record is dead-lettered, the ones behind it are sent again", async () => {
    const dir = project("mapper-hang", [{ type: "mapper", command: `python3 ${MAPPER}`, workers: 1, timeout_seconds: 3, config: { hang_ids: [7] } }], 20);
    const result = await agora(dir, ["run", "items"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain("gave no answer for 3 s; replacing it");
    expect(rows(join(dir, "out.db")).map((row) => row["id"])).toEqual(range(20).filter((id) => id !== 7));
    const dead = JSON.parse((await agora(dir, ["--json", "dlq", "list", "items"])).stdout) as Array<Record<string, unknown>>;
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ stage: "middleware", errorCode: "MAPPER_TIMEOUT", original: { id: 7 } });
  });

  it("keeps a mapper's config (its secrets) in the project's private runs folder, and a run after agora was killed removes it", async () => {
    const dir = project(
      "mapper-killed",
      [{ type: "mapper", command: `python3 ${MAPPER}`, workers: 1, timeout_seconds: 3, config: { hang_ids: [7], api_key: "s3cret-mapper-key" } }],
      20,
    );
    const runs = join(dir, ".agora", "runs");
    const mapperDirs = (): string[] => (existsSync(runs) ? readdirSync(runs).filter((name) => name.startsWith("mapper-")) : []);
    const child = startAgoraInGroup(dir, ["run", "items"]);
    const configIn = (folder: string | undefined): string => join(runs, folder ?? "", "config.json");
    // The folder is made, then the config written into it: wait for the whole config.
    await waitFor(
      () => mapperDirs().length === 1 && existsSync(configIn(mapperDirs()[0])) && readFileSync(configIn(mapperDirs()[0]), "utf8").includes("}"),
      20_000,
      "the mapper's config",
    );
    const [folder] = mapperDirs();
    const config = configIn(folder);
    expect(readFileSync(config, "utf8")).toContain("s3cret-mapper-key");
    expect(statSync(join(runs, folder ?? "")).mode & 0o777).toBe(0o700);
    // SIGKILL to agora and its children: nothing of agora's can clean up.
    process.kill(-(child.pid ?? 0), "SIGKILL");
    await exited(child);
    expect(existsSync(config)).toBe(true);
    await runSucceeds(dir, "items");
    expect(mapperDirs()).toEqual([]);
  });
});
