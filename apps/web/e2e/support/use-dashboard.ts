import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from './browser';
import { type OpenedPage, openDashboard } from './page';
import { ensureBuilt, type OrchaServer, startOrcha, tempDir } from './server';

export interface DashboardFixture {
  /** The running `orcha serve`; after `start()` the new one. */
  readonly server: OrchaServer;
  readonly browser: Browser;
  /** Opens the dashboard in a fresh browser context and waits until its change feed is live. */
  open(options?: Parameters<typeof openDashboard>[2]): Promise<OpenedPage>;
  /** Starts the server again on the same port and data dir, after a test stopped it. */
  start(): Promise<OrchaServer>;
}

/**
 * The setup every e2e file shares: before the file's tests it builds what is missing, starts `orcha serve`
 * on a free port and a fresh data dir (`orcha-web-<name>-…`) and launches chromium; after them it closes
 * both and removes the data dir. Call it at the top of a test file; its members are there once tests run.
 */
export function useDashboard(options: {
  name: string;
  /** Extra `orcha serve` flags. */
  args?: string[];
  /** Serves with `--api-token <token>`. */
  token?: string;
}): DashboardFixture {
  const args = [...(options.args ?? []), ...(options.token ? ['--api-token', options.token] : [])];
  let data: ReturnType<typeof tempDir> | undefined;
  /** 0 until the first start picks a free port; a restart takes the same one, so open pages reconnect. */
  let port = 0;
  let server: OrchaServer | undefined;
  let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;

  const start = async () => {
    if (!data) throw new Error('useDashboard: the server starts in beforeAll');
    server = await startOrcha({ port, dataDir: data.path, args });
    port = server.port;
    return server;
  };

  beforeAll(async () => {
    await ensureBuilt();
    data = tempDir(`orcha-web-${options.name}-`);
    await start();
    chromium = await launchChromium();
  }, 900_000);

  afterAll(async () => {
    await chromium?.close();
    await server?.stop();
    data?.remove();
  });

  const fixture: DashboardFixture = {
    get server() {
      if (!server) throw new Error('useDashboard: the server starts in beforeAll');
      return server;
    },
    get browser() {
      if (!chromium) throw new Error('useDashboard: chromium starts in beforeAll');
      return chromium.browser;
    },
    open: (openOptions) => openDashboard(fixture.browser, fixture.server, openOptions),
    start,
  };
  return fixture;
}
