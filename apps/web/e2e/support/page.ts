import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type OrchaServer, repoRoot } from './server';

const screenshots = join(repoRoot, 'apps', 'web', 'e2e', 'screenshots');

/** Where a screenshot goes (apps/web/e2e/screenshots, gitignored). */
export function screenshotPath(name: string): string {
  mkdirSync(screenshots, { recursive: true });
  return join(screenshots, `${name}.png`);
}

export const wide = { width: 1440, height: 900 };
export const phone = { width: 390, height: 844 };

export interface OpenedPage {
  page: Page;
  /** Uncaught page errors and console errors seen so far. */
  errors: string[];
}

/** Opens the dashboard and waits until its change feed is live. */
export async function openDashboard(
  browser: Browser,
  server: OrchaServer,
  options: {
    viewport?: { width: number; height: number };
    colorScheme?: 'light' | 'dark';
    path?: string;
  } = {},
): Promise<OpenedPage> {
  const context = await browser.newContext({
    viewport: options.viewport ?? wide,
    colorScheme: options.colorScheme ?? 'light',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // The browser logs failed requests on its own (e.g. the feed while the server restarts); those are expected.
    if (
      message.type() === 'error' &&
      !/Failed to load resource|ERR_CONNECTION_REFUSED|EventSource/.test(message.text())
    ) {
      errors.push(`console: ${message.text()}`);
    }
  });
  await page.goto(`${server.url}/${options.path ?? ''}`);
  await page.locator('[data-connection="live"]').waitFor();
  return { page, errors };
}

/** The row of a session in the overview. */
export function sessionRow(page: Page, sessionId: string) {
  return page.locator(`a.session-row[data-session-id="${sessionId}"]`);
}

export function objectiveSection(page: Page, objectiveId: string) {
  return page.locator(`section.objective[data-objective-id="${objectiveId}"]`);
}

/** Marks the document so a test can prove later that the page was never reloaded. */
export async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __orchaMarker: number }).__orchaMarker = 42;
  });
}

export async function stillSameDocument(page: Page): Promise<boolean> {
  return page.evaluate(
    () =>
      (window as unknown as { __orchaMarker?: number }).__orchaMarker === 42 &&
      performance.getEntriesByType('navigation').length === 1,
  );
}
