import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium: the e2e tests never download a browser (no `playwright install`). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where every e2e test leaves a screenshot of its final state. */
export const SCREENSHOT_DIR = join(process.cwd(), 'test-results', 'e2e');

export interface BrowserPage {
  page: Page;
  /** Console errors and uncaught page errors seen so far; a test asserts it stays empty. */
  consoleErrors: string[];
}

export interface TestBrowser {
  browser: Browser;
  newPage(): Promise<BrowserPage>;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with the flags that keep it quiet and sandbox-free in CI containers
 * (no background networking, no component updates: nothing but the page under test talks to the network).
 */
export const launchBrowser = async (): Promise<TestBrowser> => {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
  return {
    browser,
    newPage: async () => {
      // A fresh context per page: no cookies or storage leak from one test into the next.
      const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
      const page = await context.newPage();
      const consoleErrors: string[] = [];
      page.on('console', (message) => {
        // With the URL: "Failed to load resource" alone does not say which request failed.
        if (message.type() === 'error') {
          const where = message.location().url;
          consoleErrors.push(where ? `${message.text()} (${where})` : message.text());
        }
      });
      page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
      return { page, consoleErrors };
    },
    close: () => browser.close(),
  };
};

/** Saves a full-page screenshot as test-results/e2e/<name>.png and returns its path. */
export const screenshot = async (page: Page, name: string): Promise<string> => {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
};
