import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserMissing, launchChromium, screenshot } from "../../helpers/browser.js";
import { exited, tempDir } from "../../helpers/processes.js";
import { agora, projectIn } from "../../helpers/project.js";
import { type ServingConsole, startServingConsole } from "../../helpers/web-console.js";

const TAP = join(import.meta.dirname, "..", "..", "fixtures", "python", "tap_orders.py");
const TOKEN = "console-test-token";
const missing = browserMissing();
if (missing !== undefined) console.warn(`skipping the console's browser tests: ${missing}`);

/** A project whose pipeline dead-letters orders 3 and 4 on its first run (their amount is "twelve"). */
function ordersProject(folder = tempDir("agora-console-")): string {
  return projectIn(
    folder,
    `state_store = ".agora/state.db"

[connectors.orders]
command = "python3 ${TAP}"
config = { bad_ids = [3, 4] }

[connectors.warehouse]
command = "target-sqlite"
config = { database = "warehouse.db" }

[pipelines.shop]
tap = "orders"
targets = ["warehouse"]
on_error = "dlq"
`,
  );
}

async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.waitForURL(`${url}/login`);
  await page.fill("#token", token);
  await page.click("button[type=submit]");
}

describe.skipIf(missing !== undefined)("the web console in Chromium, over two real runs", () => {
  // Made here, not in beforeAll: a folder made there has no hook left to remove it. Not made when the
  // suite is skipped, whose afterAll hooks never run.
  const folder = missing === undefined ? tempDir("agora-console-") : "";
  let dir: string;
  let browser: Browser;
  let server: ServingConsole;

  beforeAll(async () => {
    dir = ordersProject(folder);
    for (let run = 0; run < 2; run++) {
      const result = await agora(dir, ["run", "shop", "--no-progress"]);
      expect(result.exitCode, result.stderr).toBe(0);
    }
    server = await startServingConsole(dir, ["console", "--port", "0", "--token", TOKEN]);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.child.kill("SIGTERM");
    if (server !== undefined) await exited(server.child);
  });

  it("serves nothing but the login page without the token, and refuses a wrong one", async () => {
    for (const path of ["/api/pipelines", "/app.js", "/api/pipelines/shop/dead-letters", "/index.html", "/api/events"]) {
      const response = await fetch(`${server.url}${path}`, { redirect: "manual" });
      expect([path, response.status]).toEqual([path, path === "/index.html" ? 303 : 401]);
    }
    expect((await fetch(`${server.url}/login`)).status).toBe(200);
    const wrongBearer = await fetch(`${server.url}/api/pipelines`, { headers: { authorization: "Bearer nope" } });
    expect(wrongBearer.status).toBe(401);
    const page = await browser.newPage();
    await signIn(page, server.url, "not-the-token");
    await page.waitForURL(/\/login\?failed=1$/);
    expect(await page.isVisible("#failed")).toBe(true);
    await screenshot(page, "login");
    await page.close();
  });

  it("walks through pipelines, runs and charts, checkpoint and plan, then repairs and replays the dead letter into the target", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // A script error anywhere on the way fails the walk, even where the page still looks right.
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await signIn(page, server.url, TOKEN);
    const row = page.locator("tr[data-pipeline=shop]");
    await row.waitFor();
    expect(await row.locator("td").nth(3).textContent()).toContain("succeeded");
    expect(await row.locator("td").nth(7).textContent()).toBe("2");
    await screenshot(page, "pipelines");

    await row.locator("a").first().click();
    await page.locator("table.runs tbody tr[data-run]").nth(1).waitFor();
    const runs = page.locator("table.runs tbody tr[data-run]");
    expect(await runs.count()).toBe(2);
    // Newest first: the second run read 6..10, all written; the first read 1..5 and dead-lettered orders 3 and 4.
    const cells = async (index: number) => (await runs.nth(index).locator("td").allTextContents()).slice(2, 7);
    expect(await cells(0)).toEqual(["succeeded", "5", "5", "0", "0"]);
    expect(await cells(1)).toEqual(["succeeded", "5", "3", "2", "0"]);
    expect(await page.locator("figure.chart").count()).toBe(2);
    for (const chart of await page.locator("figure.chart").all()) expect(await chart.locator("rect.bar").count()).toBe(2);
    await runs.nth(1).click();
    const detail = page.locator("tr.detail tr[data-stream=orders] td");
    expect(await detail.allTextContents()).toEqual(["orders", "5", "3", "2", "0", ""]);
    await screenshot(page, "runs");

    await page.click("a[data-tab=checkpoint]");
    await page.locator("#current-state").waitFor();
    expect(JSON.parse((await page.locator("#current-state").textContent()) ?? "")).toEqual({ bookmarks: { orders: { last_id: 10 } } });
    expect(await page.locator("details pre").allTextContents()).toHaveLength(2);
    await screenshot(page, "checkpoint");

    await page.click("a[data-tab=plan]");
    await page.locator("#plan .node").first().waitFor();
    const nodes = await page.locator("#plan .node h3").allTextContents();
    expect(nodes).toEqual(["tap: orders", "validation", "warehouse"]);
    await screenshot(page, "plan");

    await page.click("a[data-tab=dlq]");
    const letters = page.locator("tr[data-letter]");
    await letters.nth(1).waitFor();
    expect(await letters.count()).toBe(2);
    for (const letter of await letters.all())
      expect((await letter.locator("td").allTextContents()).slice(2, 5)).toEqual(["orders", "validate", "RECORD_INVALID"]);
    // Order 4 selected and replayed as it is: it fails validation again, and says so.
    await page.check("tr[data-letter='2'] input[type=checkbox]");
    await page.click("#replay-full");
    await page.locator("#dlq-outcome", { hasText: "1 failed again" }).waitFor({ timeout: 30_000 });
    await page.locator("tr[data-letter='2'] td", { hasText: "replay 1: " }).waitFor();
    expect(await page.locator("tr[data-letter='2'] td").nth(6).textContent()).toBe("1");
    await screenshot(page, "dead-letters");

    await page.click("tr[data-letter='1'] a");
    await page.locator("#arrived").waitFor();
    expect(JSON.parse((await page.locator("#arrived").textContent()) ?? "")).toEqual({ id: 3, amount: "twelve" });
    await page.fill("#edit-field input[name=field]", "amount");
    await page.fill("#edit-field input[name=value]", "12.5");
    await page.click("#edit-field button[type=submit]");
    await page.locator("#current-record", { hasText: "12.5" }).waitFor();
    expect(JSON.parse((await page.locator("#current-record").textContent()) ?? "")).toEqual({ id: 3, amount: 12.5 });
    expect(await page.locator("table tbody tr td").nth(1).textContent()).toBe("edited");
    await screenshot(page, "dead-letter");

    await page.click("#replay-one");
    await page.locator("#letter-outcome", { hasText: "1 succeeded" }).waitFor({ timeout: 30_000 });
    await page.locator("dl.facts .badge.done").waitFor();
    const rows = new Database(join(dir, "warehouse.db"), { readonly: true }).prepare("SELECT id, amount FROM orders ORDER BY id").all();
    expect(rows).toEqual([1, 2, 3, 5, 6, 7, 8, 9, 10].map((id) => ({ id, amount: id === 3 ? 12.5 : id * 10 + 0.25 })));
    await screenshot(page, "dead-letter-replayed");

    // Done letters purged from the list: order 3's goes, order 4's (still pending) stays.
    page.once("dialog", (dialog) => void dialog.accept());
    await page.goto(`${server.url}/#/p/shop/dlq?status=all`);
    await page.locator("tr[data-letter='1']").waitFor();
    await page.click("#purge-done");
    await page.locator("#dlq-outcome", { hasText: "deleted 1 dead letter(s) of shop" }).waitFor();
    await page.locator("tr[data-letter='1']").waitFor({ state: "detached" });
    expect(await page.locator("tr[data-letter]").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-letter")))).toEqual(["2"]);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});

describe.skipIf(missing !== undefined)("the web console of agora worker, in Chromium", () => {
  it("shows the worker's state of each pipeline, and a new run appears on an open page without a reload", async () => {
    const dir = ordersProject();
    writeFileSync(join(dir, "pipelines.toml"), `${readFileSync(join(dir, "pipelines.toml"), "utf8")}schedule = { every = "1s" }\n`);
    const { child: worker, url } = await startServingConsole(dir, ["worker", "--port", "0", "--health-token", TOKEN]);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
      await signIn(page, url, TOKEN);
      const state = page.locator("tr[data-pipeline=shop] td").nth(2);
      await state.locator(".badge").waitFor();
      expect(await state.textContent()).toMatch(/^(waiting|running|sleeping)/);
      await page.goto(`${url}/#/p/shop/runs`);
      const runs = page.locator("table.runs tbody tr[data-run]");
      await runs.first().waitFor();
      const before = await runs.count();
      // Marked, so a reload (which would clear it) cannot pass for a live update.
      await page.evaluate(() => Object.assign(globalThis, { agoraMarker: true }));
      await page.locator(`table.runs tbody tr[data-run] >> nth=${before}`).waitFor({ timeout: 20_000 });
      expect(await page.evaluate(() => (globalThis as { agoraMarker?: boolean }).agoraMarker)).toBe(true);
      expect(await page.isVisible("#live.on")).toBe(true);
    } finally {
      await browser.close();
      worker.kill("SIGTERM");
      await exited(worker);
    }
  }, 60_000);
});
