import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Orchestrator } from '@orcha/core';
import { OrchaError } from '@orcha/model';
import type { Auth } from './auth.js';
import { invalidInput, jsonBodies } from './body.js';
import { errorResponse } from './errors.js';
import { loginRoutes } from './login.js';
import { mcpRoutes } from './mcp.js';
import { openApiDocument, openApiJson, referencePage, referencePageRoute } from './openapi.js';
import { type ConfigView, configRoutes } from './routes/config.js';
import { failoverRoutes } from './routes/failover.js';
import { feedRoutes } from './routes/feed.js';
import { notificationRoutes } from './routes/notifications.js';
import { objectiveRoutes } from './routes/objectives.js';
import { outputRoutes } from './routes/outputs.js';
import { sessionRoutes } from './routes/sessions.js';
import { targetRoutes } from './routes/targets.js';
import { security } from './security.js';

/** What the server tells the dashboard about itself (shown in the top bar). */
export interface ServerInfo {
  version: string;
  /** True when agents are the scripted fake: the dashboard shows an unmissable banner. */
  fakeAgents: boolean;
  agents: string[];
  forge: string;
}

export interface ApiOptions {
  orchestrator: Orchestrator;
  info: ServerInfo;
  /** The API token in force and the dashboard's login; the server sets it with `--auth` or beyond loopback. */
  auth?: Auth | undefined;
  /** Host names accepted besides loopback names and IP addresses (DNS-rebinding defence). */
  allowedHosts?: readonly string[] | undefined;
  /** The dashboard's built files, served at / with an index.html fallback. */
  staticRoot?: string | undefined;
  /** The leader lease of replicas on PostgreSQL (absent on SQLite: one process). */
  leaseMs?: number | undefined;
  /** The effective configuration (secrets masked) and the config file's JSON Schema. */
  settings?: ConfigView | undefined;
}

export interface ApiDeps {
  orchestrator: Orchestrator;
  info: ServerInfo;
  leaseMs: number | null;
}

/**
 * The hono app: REST (each route declared once in `routes/`, validated and documented from its
 * declaration), SSE, MCP and the dashboard's files. Only the dashboard's page (`/`) and the API
 * reference answer HTML; every other path answers JSON, a 404 included.
 */
export function createApi(options: ApiOptions): OpenAPIHono {
  const app = new OpenAPIHono({ defaultHook: invalidInput });
  const deps: ApiDeps = {
    orchestrator: options.orchestrator,
    info: options.info,
    leaseMs: options.leaseMs ?? null,
  };
  app.onError((error, c) => errorResponse(c, error));
  app.use('*', security({ auth: options.auth, allowedHosts: options.allowedHosts }));
  app.use('/api/*', jsonBodies());
  loginRoutes(app, options.auth);
  feedRoutes(app, deps);
  objectiveRoutes(app, deps);
  sessionRoutes(app, deps);
  targetRoutes(app, deps);
  outputRoutes(app, deps);
  mcpRoutes(app, deps);
  notificationRoutes(app, deps);
  configRoutes(app, options.settings);
  failoverRoutes(app, deps);
  const document = openApiDocument(options.info.version);
  app.openapi(openApiJson, (c) => c.json(document, 200));
  app.openapi(referencePageRoute, (c) => c.html(referencePage(document), 200));
  const root = options.staticRoot;
  if (root && existsSync(join(root, 'index.html'))) {
    const index = readFileSync(join(root, 'index.html'), 'utf8');
    app.get('/', (c) => c.html(index));
    app.use('/*', serveStatic({ root }));
  } else {
    app.get('/', (c) =>
      c.html(
        '<!doctype html><title>orcha</title><p>orcha is running. The dashboard is not built; the API is at <a href="/api/docs">/api/docs</a>.</p>',
      ),
    );
  }
  app.all('*', () => {
    throw new OrchaError('not_found', 'no such endpoint');
  });
  return app;
}
