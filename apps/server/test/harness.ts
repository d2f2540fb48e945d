import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { AgentProvider } from '@orcha/agent';
import { createApi } from '@orcha/api';
import {
  createOrchestrator,
  type Orchestrator,
  type OrchestratorConfig,
  type OrchestratorOptions,
} from '@orcha/core';
import { createLocalExecutor } from '@orcha/exec';
import { createFakeForge, type FakeForge } from '@orcha/forge';
import { createIdGenerator, type OrchaEvent } from '@orcha/model';
import { createStore, type Store } from '@orcha/store';
import { createTempDir, type TempDir } from '@orcha/testkit';
import { createScratchPreparer } from '@orcha/workspace';
import { checkResponse } from './contract.js';
import { until } from './until.js';

export interface Harness {
  url: string;
  dir: TempDir;
  store: Store;
  orchestrator: Orchestrator;
  forge: FakeForge;
  /** Resolves when `predicate` holds, checked after every committed event (and once now). */
  until<T>(predicate: () => T | null | undefined | false, timeoutMs?: number): Promise<T>;
  /** Stops orchestrator and server; keeps the data dir unless `remove` is set. */
  close(options?: { remove?: boolean }): Promise<void>;
}

export interface HarnessOptions {
  providers: Record<string, AgentProvider>;
  config?: Partial<OrchestratorConfig>;
  /** Reuse a data dir (restart tests). */
  dir?: TempDir;
  forge?: FakeForge;
  capacity?: number;
  clock?: () => number;
}

/** A real orchestrator on a real SQLite file, served by the real API on a loopback port. */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const dir = options.dir ?? (await createTempDir('orcha-api-'));
  const clock = options.clock ?? Date.now;
  const store = createTestStore(dir, clock);
  store.ensureLocalTarget({ workRoot: join(dir.path, 'work'), capacity: options.capacity ?? 16 });
  const forge = options.forge ?? createFakeForge({ anyRepository: true });
  const local = createLocalExecutor();
  const { url, orchestrator, stop } = await serveOrchestrator(
    {
      store,
      providers: options.providers,
      executorFor: () => local,
      forge,
      preparer: createScratchPreparer(),
      clock,
      config: options.config,
    },
    'fake',
  );
  return {
    url,
    dir,
    store,
    orchestrator,
    forge,
    until: (predicate, timeoutMs = 15_000) => until(store, predicate, { timeoutMs }),
    async close(closeOptions = {}) {
      await stop();
      store.close();
      if (closeOptions.remove) await dir.remove();
    },
  };
}

/** The store of a harness: a real SQLite file in `dir`. */
export function createTestStore(dir: TempDir, clock: () => number = Date.now): Store {
  return createStore({
    path: join(dir.path, 'orcha.db'),
    clock,
    ids: createIdGenerator(clock, () => randomInt(32)),
  });
}

/**
 * The real orchestrator (with the tests' quick schedule and no agent CLI required unless `config` says
 * otherwise) served by the real API on a loopback port, and started. `stop` stops both; the store stays open.
 */
export async function serveOrchestrator(
  options: OrchestratorOptions,
  forge: string,
): Promise<{ url: string; orchestrator: Orchestrator; stop(): Promise<void> }> {
  const orchestrator = createOrchestrator({
    ...options,
    config: { scheduleIntervalMs: 200, feedbackPollMs: 60_000, agentCliRequired: false, ...options.config },
  });
  const app = createApi({
    orchestrator,
    info: { version: 'test', fakeAgents: true, agents: Object.keys(options.providers), forge },
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const listening = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(listening));
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  orchestrator.config.mcpBaseUrl = url;
  await orchestrator.start();
  return {
    url,
    orchestrator,
    async stop() {
      await orchestrator.stop();
      // Open SSE streams would keep the server open forever.
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A JSON request against the harness API; the response must be what the OpenAPI document declares. */
export async function api(
  harness: { url: string },
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${harness.url}${path}`, {
    method,
    headers: { origin: harness.url, ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  await checkResponse(method, path, response.status, parsed);
  return { status: response.status, body: parsed };
}

/** An MCP client (the official SDK) connected to a session's endpoint with a token. */
export async function mcpClient(url: string, sessionId: string, token: string): Promise<Client> {
  const client = new Client({ name: 'orcha-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp/${sessionId}`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

/** Events of a type since the store began. */
export function eventsOf<T extends OrchaEvent['type']>(
  store: Store,
  type: T,
): Extract<OrchaEvent, { type: T }>[] {
  return store
    .listEvents({ after: 0, limit: 100_000 })
    .filter((event): event is Extract<OrchaEvent, { type: T }> => event.type === type);
}
