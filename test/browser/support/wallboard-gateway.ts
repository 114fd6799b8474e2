import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { eventually } from '../../support/wait';

export const CHROMIUM = '/usr/bin/chromium';

/** The system Chromium, headless (never a downloaded browser build); one clear sentence when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`The browser tests need Chromium at ${CHROMIUM}: run \`apt-get install -y chromium\` (as root).`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * A fresh page (its own context: its own sessionStorage) at `url`; its console errors and uncaught exceptions go
 * to `problems`, so a spec can assert the page needed nothing its CSP forbids and threw nothing.
 */
export async function openPage(browser: Browser, url: string, problems: string[]): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(url);
  return page;
}

/**
 * Waits until the element's text equals `expected` (or matches it), through Playwright's locators: the pages' CSP
 * forbids evaluating strings, and the specs have no DOM types.
 */
export async function waitForText(
  page: Page,
  selector: string,
  expected: string | RegExp,
  timeout = 10_000,
): Promise<void> {
  await eventually(
    async () => {
      const text = (await page.locator(selector).first().textContent({ timeout: 1_000 })) ?? '';
      if (typeof expected === 'string') expect(text).toBe(expected);
      else expect(text).toMatch(expected);
    },
    timeout,
    100,
  );
}
