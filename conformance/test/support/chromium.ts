// Opens HTML reports in Debian's headless Chromium through playwright-core
// (no browser download). Without /usr/bin/chromium the browser tests are
// skipped with a visible reason, except in CI, where they fail and say what
// to install.
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { describeNeeding } from "./real-component.js";

export const chromiumPath = "/usr/bin/chromium";
const missing = `${chromiumPath} is missing: install Debian's chromium (apt-get install chromium)`;

/** describe() for tests that need the browser. */
export function describeInChromium(name: string, body: () => void): void {
  describeNeeding("Chromium", existsSync(chromiumPath) ? undefined : missing, name, body);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--headless",
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

/** Launches one browser for the enclosing describe() and closes it after; call the result inside tests. */
export function useChromium(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 30_000);
  afterAll(() => browser?.close());
  return () => {
    if (!browser) throw new Error("Chromium did not start");
    return browser;
  };
}

export interface OpenedReport {
  page: Page;
  /** Console errors and uncaught exceptions. */
  errors: string[];
  /** Every URL the page asked for besides the report itself. */
  requests: string[];
}

/** Opens a report file the way a person does: from disk. */
export async function openReport(browser: Browser, file: string): Promise<OpenedReport> {
  const page = await browser.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  const own = pathToFileURL(file).href;
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("request", (request) => {
    if (request.url() !== own) requests.push(request.url());
  });
  await page.goto(own, { waitUntil: "load" });
  return { page, errors, requests };
}
