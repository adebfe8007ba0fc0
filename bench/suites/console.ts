import { spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { median } from "../measure.js";
import { openStateStore } from "../../runner/state/open-state-store.js";
import { StaticAssets } from "../../runner/console/static-assets.js";

export interface ConsoleFigures {
  readonly markdown: string;
  /** Median milliseconds from navigation to the runs table on screen, with `runs` runs in the store; undefined without a browser. */
  readonly runsPageMs: number | undefined;
}

const CHROMIUM = process.env["AGORA_CHROMIUM"] ?? "/usr/bin/chromium";
const TOKEN = "bench-token";

/** A state store holding `runs` finished runs of pipeline `bench`, each with three streams and a checkpoint, written in one transaction. */
async function fillStore(path: string, runs: number): Promise<void> {
  // Opened once through the store, so its tables are made as every store makes them.
  await openStateStore(path).close();
  const db = new Database(path);
  const insert = db.prepare(
    "INSERT INTO runs (id, pipeline, started_at, ended_at, status, progress, dead_lettered, checkpoint, checkpoint_bytes, checkpoint_at) VALUES (?, 'bench', ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const start = Date.parse("2026-01-01T00:00:00Z");
  db.transaction(() => {
    for (let run = 0; run < runs; run += 1) {
      const began = new Date(start + run * 3_600_000);
      const ended = new Date(began.getTime() + 20_000 + (run % 17) * 1000);
      const read = 10_000 + (run % 50) * 100;
      const progress = JSON.stringify({
        users: { read, written: read, deadLettered: 0, unconfirmed: 0 },
        orders: { read: read * 5, written: read * 5 - (run % 3), deadLettered: run % 3, unconfirmed: 0 },
        events: { read: 42, written: 42, deadLettered: 0, unconfirmed: 0 },
      });
      const checkpoint = JSON.stringify({ bookmarks: { orders: { updated_at: ended.toISOString() } } });
      insert.run(
        `run-${run}`,
        began.toISOString(),
        ended.toISOString(),
        run % 23 === 0 ? "failed" : "succeeded",
        progress,
        run % 3,
        checkpoint,
        checkpoint.length,
        ended.toISOString(),
      );
    }
  })();
  db.close();
}

async function startConsole(agora: string, dir: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [agora, "console", "--port", "0", "--token", TOKEN], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  let said = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on("data", (chunk: Buffer) => {
      said += chunk.toString();
      const found = /web console on (http:\/\/[\d.]+:\d+)\//.exec(said);
      if (found !== null) resolve(found[1] as string);
    });
    child.once("exit", () => reject(new Error(`agora console exited: ${said}`)));
  });
  return { url, stop: () => child.kill("SIGTERM") };
}

/**
 * The console with `runs` runs in the store: how long Chromium takes from
 * navigation to the runs page's table (the first page of 50, with its
 * charts), and to the pipelines page; the API's answer for the oldest page;
 * the console's weight as sent.
 */
export async function runConsoleBench(root: string, runs: number, work: string): Promise<ConsoleFigures> {
  const weight = new StaticAssets(join(root, "runner", "console", "static")).weight();
  const weightLine = `- the console's files: ${(weight.plain / 1024).toFixed(1)} KiB, ${(weight.gzipped / 1024).toFixed(1)} KiB gzipped as sent (no library: Preact 11 with its hooks and htm would add 7.2 KiB gzipped before any view)`;
  if (!existsSync(CHROMIUM))
    return { markdown: `${weightLine}\n- skipped the browser timings: no Chromium at ${CHROMIUM} (bash .ci/browser.sh install)\n`, runsPageMs: undefined };
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(
    join(work, "pipelines.toml"),
    `state_store = "state.db"\n[connectors.sample]\ncommand = "tap-sample"\n[connectors.out]\ncommand = "target-jsonl"\n[pipelines.bench]\ntap = "sample"\ntargets = ["out"]\n`,
  );
  await fillStore(join(work, "state.db"), runs);
  const server = await startConsole(join(root, "dist", "runner", "cli", "bin.js"), work);
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const login = await context.newPage();
    await login.goto(`${server.url}/login`);
    await login.fill("#token", TOKEN);
    await Promise.all([login.waitForURL(`${server.url}/`), login.click("button[type=submit]")]);
    const timeTo = async (path: string, selector: string): Promise<number> => {
      const page = await context.newPage();
      await page.goto(`${server.url}${path}`);
      await page.waitForSelector(selector);
      const ms = await page.evaluate(() => performance.now());
      await page.close();
      return ms;
    };
    const runsPage: number[] = [];
    const pipelinesPage: number[] = [];
    for (let round = 0; round < 5; round += 1) {
      runsPage.push(await timeTo("/#/p/bench/runs", "table.runs tbody tr"));
      pipelinesPage.push(await timeTo("/", "tr[data-pipeline=bench]"));
    }
    const started = performance.now();
    const oldest = await fetch(`${server.url}/api/pipelines/bench/runs?offset=${runs - 50}&limit=50`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const body = (await oldest.json()) as { runs: unknown[] };
    const apiMs = performance.now() - started;
    const ms = (value: number): string => `${Math.round(value)} ms`;
    return {
      runsPageMs: median(runsPage),
      markdown: [
        `- ${runs.toLocaleString("en-US")} runs of one pipeline in the store (SQLite); Chromium headless, a new tab each time, signed in; median of 5`,
        `- navigation to the runs page's table (50 runs and two charts): ${ms(median(runsPage))} (each: ${runsPage.map(ms).join(", ")})`,
        `- navigation to the pipelines page's row: ${ms(median(pipelinesPage))} (each: ${pipelinesPage.map(ms).join(", ")})`,
        `- the API's oldest page (offset ${runs - 50}, ${body.runs.length} runs): ${ms(apiMs)}`,
        weightLine,
        "",
      ].join("\n"),
    };
  } finally {
    await browser.close();
    server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
