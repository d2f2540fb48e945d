import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { requestAliases } from './body.js';
import { login } from './login.js';
import { type App, errors, json } from './route.js';
import { getConfig, getConfigSchema } from './routes/config.js';
import { continueOn } from './routes/failover.js';
import { dashboard, events, health, history, replicas } from './routes/feed.js';
import { notifications } from './routes/notifications.js';
import { cancelObjective, createObjective, getObjective, listObjectives } from './routes/objectives.js';
import {
  answerQuestion,
  getArtifact,
  listArtifacts,
  listNotes,
  listPullRequests,
  listQuestions,
} from './routes/outputs.js';
import {
  cancelSession,
  getScreen,
  getSession,
  listMessages,
  listSessions,
  steerSession,
  streamTranscript,
} from './routes/sessions.js';
import {
  createTarget,
  doctorTarget,
  listTargets,
  targetStatusRoutes,
  trustHostKey,
} from './routes/targets.js';

export const openApiJson = createRoute({
  method: 'get',
  path: '/api/openapi.json',
  operationId: 'getOpenApi',
  tags: ['Meta'],
  summary: 'This document',
  description: 'The OpenAPI 3.1 document of this API.',
  responses: {
    200: json(z.record(z.string(), z.unknown()), 'The document.'),
    ...errors(),
  },
});

export const referencePageRoute = createRoute({
  method: 'get',
  path: '/api/docs',
  operationId: 'getApiReference',
  tags: ['Meta'],
  summary: 'A browsable reference',
  description: 'This document as an HTML page, self-contained.',
  responses: {
    200: { description: 'The page.', content: { 'text/html': { schema: z.string() } } },
    ...errors(),
  },
});

/** Every declared route: what the document lists. A test checks it against what the app mounts. */
export const declaredRoutes = [
  login,
  health,
  dashboard,
  history,
  replicas,
  events,
  createObjective,
  listObjectives,
  getObjective,
  cancelObjective,
  listSessions,
  getSession,
  steerSession,
  cancelSession,
  continueOn,
  listMessages,
  streamTranscript,
  getScreen,
  listTargets,
  createTarget,
  doctorTarget,
  trustHostKey,
  ...targetStatusRoutes.map(({ route }) => route),
  listQuestions,
  answerQuestion,
  listPullRequests,
  listNotes,
  listArtifacts,
  getArtifact,
  notifications,
  getConfig,
  getConfigSchema,
  openApiJson,
  referencePageRoute,
];

const tags = [
  { name: 'Dashboard', description: 'The summary, its history and the change feed.' },
  { name: 'Objectives', description: 'Goals given to orcha.' },
  { name: 'Sessions', description: 'Agent runs: transcripts, steering, cancelling.' },
  { name: 'Targets', description: 'Machines sessions run on.' },
  { name: 'Questions', description: 'What waits on the person.' },
  { name: 'Outputs', description: 'Pull requests, notes and artifacts.' },
  { name: 'Notifications', description: 'The notification outbox.' },
  { name: 'Settings', description: 'The effective configuration and its schema.' },
  { name: 'Auth', description: 'Signing a browser in.' },
  { name: 'Meta', description: 'This document.' },
];

const aliasList = Object.entries(requestAliases)
  .map(([alias, name]) => `\`${alias}\` → \`${name}\``)
  .join(', ');

export type OpenApiDocument = ReturnType<App['getOpenAPI31Document']>;

/** The OpenAPI 3.1 document, generated from the route declarations. */
export function openApiDocument(version: string): OpenApiDocument {
  const generator = new OpenAPIHono();
  const registry = generator.openAPIRegistry;
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description:
      'The API token (`--auth`, `ORCHA_API_TOKEN`). Browsers sign in with `POST /api/login` instead and send the `orcha_auth_<port>` cookie.',
  });
  for (const route of declaredRoutes) registry.registerPath(route);
  return generator.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'orcha API',
      version,
      description: `The HTTP API of orcha, a local orchestrator for AI coding agents. Errors are \`{ "error": { "code", "message" } }\` for every status. Responses spell fields in camelCase; request bodies accept the older snake_case spellings as aliases: ${aliasList}.`,
    },
    servers: [{ url: '/', description: 'This server.' }],
    security: [{ bearerAuth: [] }],
    tags,
  });
}

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** A browsable reference page, self-contained (no CDN). */
export function referencePage(document: OpenApiDocument): string {
  const rows = Object.entries(document.paths ?? {}).flatMap(([path, methods]) =>
    Object.entries(methods as Record<string, unknown>).map(([method, operation]) => {
      const op = operation as {
        summary: string;
        description?: string;
        requestBody?: { content: { 'application/json': { schema: unknown } } };
      };
      const body = op.requestBody
        ? `<details><summary>body</summary><pre>${escapeHtml(JSON.stringify(op.requestBody.content['application/json'].schema, null, 2))}</pre></details>`
        : '';
      return `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escapeHtml(path)}</code></td><td>${escapeHtml(op.summary)}<br><small>${escapeHtml(op.description ?? '')}</small>${body}</td></tr>`;
    }),
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>orcha API</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:70rem}td{padding:.3rem .6rem;vertical-align:top;border-bottom:1px solid #ddd}pre{font-size:12px}</style>
</head><body><h1>orcha API ${escapeHtml(document.info.version)}</h1>
<p>Errors are <code>{ "error": { "code", "message" } }</code>. The machine-readable document is at <a href="/api/openapi.json">/api/openapi.json</a>.</p>
<table>${rows.join('\n')}</table></body></html>`;
}
