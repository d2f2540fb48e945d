import { errorCodes } from '@orcha/model';
import { z } from 'zod';
import { continueOnBody } from './routes/failover.js';
import { notificationsQuery } from './routes/notifications.js';
import {
  answerBody,
  cancelBody,
  createObjectiveBody,
  createTargetBody,
  eventsQuery,
  historyQuery,
  loginBody,
  messagesQuery,
  objectiveFilterQuery,
  questionsQuery,
  sessionsQuery,
  steerBody,
  trustHostKeyBody,
} from './schemas.js';

interface Operation {
  method: 'get' | 'post';
  path: string;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  status?: number;
  stream?: boolean;
}

/** Every endpoint, with the same zod schemas that validate its input. */
const operations: Operation[] = [
  {
    method: 'post',
    path: '/api/login',
    summary: 'Trade a one-time login code (or the API token as a bearer) for the sign-in cookie',
    body: loginBody,
  },
  {
    method: 'get',
    path: '/api/dashboard',
    summary:
      'Small summary for the dashboard: counts, active objectives and the newest finished ones with their session rows, targets, open questions',
  },
  {
    method: 'get',
    path: '/api/dashboard/history',
    summary: 'A page of finished objectives with their session rows, older than ?before= (a page’s next)',
    query: historyQuery,
  },
  {
    method: 'get',
    path: '/api/events',
    summary: 'Global change feed (SSE); resumes from Last-Event-ID',
    query: eventsQuery,
    stream: true,
  },
  {
    method: 'post',
    path: '/api/objectives',
    summary: 'Create an objective and its manager session',
    body: createObjectiveBody,
    status: 201,
  },
  { method: 'get', path: '/api/objectives', summary: 'List objectives' },
  {
    method: 'get',
    path: '/api/objectives/{id}',
    summary: 'An objective with its sessions, pull requests, questions, notes and artifacts',
  },
  {
    method: 'post',
    path: '/api/objectives/{id}/cancel',
    summary: 'Cancel an objective and its sessions',
    body: cancelBody,
  },
  { method: 'get', path: '/api/sessions', summary: 'List sessions', query: sessionsQuery },
  { method: 'get', path: '/api/sessions/{id}', summary: 'A session with its workspace and target' },
  {
    method: 'post',
    path: '/api/sessions/{id}/messages',
    summary: 'Steer a session with a message',
    body: steerBody,
    status: 202,
  },
  { method: 'post', path: '/api/sessions/{id}/cancel', summary: 'Cancel a session', body: cancelBody },
  {
    method: 'post',
    path: '/api/sessions/{id}/continue-on',
    summary: 'Continue a session mid-task on another agent, in the same workspace, from a handoff',
    body: continueOnBody,
  },
  {
    method: 'get',
    path: '/api/sessions/{id}/messages',
    summary: 'Transcript page by seq cursor',
    query: messagesQuery,
  },
  {
    method: 'get',
    path: '/api/sessions/{id}/stream',
    summary: 'Transcript stream (SSE) from a seq cursor',
    query: messagesQuery,
    stream: true,
  },
  { method: 'get', path: '/api/sessions/{id}/screen', summary: 'The live terminal of a tmux session' },
  { method: 'get', path: '/api/targets', summary: 'List targets with their load' },
  {
    method: 'post',
    path: '/api/targets',
    summary: 'Register a machine: bootstrap, then doctor',
    body: createTargetBody,
    status: 201,
  },
  { method: 'post', path: '/api/targets/{id}/doctor', summary: "Re-run a target's doctor" },
  {
    method: 'post',
    path: '/api/targets/{id}/trust-host-key',
    summary: "Trust an SSH target's host key after comparing its fingerprint",
    body: trustHostKeyBody,
  },
  { method: 'post', path: '/api/targets/{id}/drain', summary: 'Take no new sessions; running ones finish' },
  { method: 'post', path: '/api/targets/{id}/disable', summary: 'Take the target out of rotation' },
  { method: 'post', path: '/api/targets/{id}/enable', summary: 'Put the target back online' },
  { method: 'get', path: '/api/questions', summary: 'List questions', query: questionsQuery },
  {
    method: 'post',
    path: '/api/questions/{id}/answer',
    summary: 'Answer a question; resumes what waits on it',
    body: answerBody,
  },
  {
    method: 'get',
    path: '/api/pull-requests',
    summary: 'Pull requests with their feedback',
    query: objectiveFilterQuery,
  },
  { method: 'get', path: '/api/notes', summary: 'Notes', query: objectiveFilterQuery },
  {
    method: 'get',
    path: '/api/artifacts',
    summary: 'Artifacts (without content)',
    query: objectiveFilterQuery,
  },
  { method: 'get', path: '/api/artifacts/{id}', summary: 'One artifact with its content' },
  {
    method: 'get',
    path: '/api/notifications',
    summary: 'Notifications, newest first, with their delivery log per sink',
    query: notificationsQuery,
  },
  {
    method: 'get',
    path: '/api/config',
    summary: 'The effective configuration, secrets masked, each value with its source',
  },
  { method: 'get', path: '/api/config.schema.json', summary: 'The JSON Schema of orcha.config.json' },
];

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string', enum: [...errorCodes] }, message: { type: 'string' } },
    },
  },
};

function jsonSchema(schema: z.ZodType): unknown {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
}

/** OpenAPI 3.1, generated from the request schemas. */
export function openApiDocument(version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of operations) {
    const parameters = [
      ...[...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => ({
        name: match[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      ...Object.keys(operation.query?.shape ?? {}).map((name) => ({
        name,
        in: 'query',
        schema: { type: 'string' },
      })),
    ];
    paths[operation.path] ??= {};
    paths[operation.path]![operation.method] = {
      summary: operation.summary,
      ...(parameters.length ? { parameters } : {}),
      ...(operation.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(operation.body) } },
            },
          }
        : {}),
      responses: {
        [String(operation.status ?? 200)]: {
          description: 'OK',
          content: operation.stream ? { 'text/event-stream': {} } : { 'application/json': {} },
        },
        default: { description: 'Error', content: { 'application/json': { schema: errorSchema } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'orcha API', version },
    paths,
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** A browsable reference page, self-contained (no CDN). */
export function referencePage(document: ReturnType<typeof openApiDocument>): string {
  const rows = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => {
      const op = operation as {
        summary: string;
        requestBody?: { content: { 'application/json': { schema: unknown } } };
      };
      const body = op.requestBody
        ? `<details><summary>body</summary><pre>${escapeHtml(JSON.stringify(op.requestBody.content['application/json'].schema, null, 2))}</pre></details>`
        : '';
      return `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escapeHtml(path)}</code></td><td>${escapeHtml(op.summary)}${body}</td></tr>`;
    }),
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>orcha API</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:70rem}td{padding:.3rem .6rem;vertical-align:top;border-bottom:1px solid #ddd}pre{font-size:12px}</style>
</head><body><h1>orcha API ${escapeHtml(document.info.version)}</h1>
<p>Errors are <code>{ "error": { "code", "message" } }</code>. The machine-readable document is at <a href="/api/openapi.json">/api/openapi.json</a>.</p>
<table>${rows.join('\n')}</table></body></html>`;
}
