import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { ROOT } from "./processes.js";

/** Debian's Chromium, which CI installs (.ci/browser.sh); nothing is downloaded. */
export const CHROMIUM = process.env["AGORA_CHROMIUM"] ?? "/usr/bin/chromium";

/** Why the browser tests cannot run here, or undefined when they can. CI sets AGORA_REQUIRE_BROWSER, so there they never skip. */
export function browserMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `no Chromium at ${CHROMIUM} (install it with: bash .ci/browser.sh install)`;
  if (process.env["AGORA_REQUIRE_BROWSER"] === "1") throw new Error(`AGORA_REQUIRE_BROWSER is set but there is ${reason}`);
  return reason;
}

/** Headless Chromium as root on a machine with no network beyond loopback: no sandbox, no background traffic. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Where screenshots go: AGORA_SCREENSHOTS (docs/console for the docs' pictures), else test-output/console. */
export function screenshotDir(): string {
  const dir = process.env["AGORA_SCREENSHOTS"] ?? join(ROOT, "test-output", "console");
  mkdirSync(dir, { recursive: true });
  return dir;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(screenshotDir(), `${name}.png`), fullPage: true });
}
