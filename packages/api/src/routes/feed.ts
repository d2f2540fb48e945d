import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { ApiDeps } from '../app.js';
import { type App, errors, eventStream, json } from '../route.js';
import {
  DashboardResponse,
  eventsQuery,
  FeedFrame,
  HistoryPage,
  historyQuery,
  Ok,
  ReplicasResponse,
} from '../schemas.js';
import { eventFeed } from '../sse.js';

const tags = ['Dashboard'];

export const health = createRoute({
  method: 'get',
  path: '/api/health',
  operationId: 'getHealth',
  tags,
  summary: 'Whether the server answers',
  description: 'Answers `{ ok: true }` while the server runs; with auth in force it needs the token.',
  responses: { 200: json(Ok, 'The server runs.'), ...errors() },
});

export const dashboard = createRoute({
  method: 'get',
  path: '/api/dashboard',
  operationId: 'getDashboard',
  tags,
  summary: 'The dashboard summary',
  description:
    'Counts, active objectives and the newest finished ones with their session rows, targets with their load, open questions, pull requests, provider usage and the latest event id (where to start `/api/events`).',
  responses: { 200: json(DashboardResponse, 'The summary.'), ...errors() },
});

export const history = createRoute({
  method: 'get',
  path: '/api/dashboard/history',
  operationId: 'getHistory',
  tags,
  summary: 'Older finished objectives',
  description:
    'A page of finished objectives with their session rows, older than `before` (a page’s `next`).',
  request: { query: historyQuery },
  responses: { 200: json(HistoryPage, 'One page.'), ...errors(400, 404) },
});

export const replicas = createRoute({
  method: 'get',
  path: '/api/replicas',
  operationId: 'listReplicas',
  tags,
  summary: 'The replicas of orcha',
  description:
    'Every `orcha serve` on this PostgreSQL database heard from lately (id, address, start, last heartbeat) and which one leads: it schedules and runs the sessions. On SQLite the list is empty: one process, always in charge.',
  responses: { 200: json(ReplicasResponse, 'The replicas, oldest first.'), ...errors() },
});

export const events = createRoute({
  method: 'get',
  path: '/api/events',
  operationId: 'streamEvents',
  tags,
  summary: 'The global change feed (SSE)',
  description:
    'Server-sent events: first `hello` with the latest event id, then every stored event after the cursor, then live ones. Each event’s SSE `id` is its store id: reconnect with `Last-Event-ID` to resume without loss. A client that falls far behind is dropped and resumes the same way.',
  request: {
    query: eventsQuery,
    headers: z.object({
      'last-event-id': z.string().optional().describe('Resume after this event id (wins over `after`).'),
    }),
  },
  responses: { 200: eventStream(FeedFrame, 'The event stream.'), ...errors(400) },
});

/** The dashboard summary and its history pages, and the global change feed. */
export function feedRoutes(app: App, { orchestrator, info, leaseMs }: ApiDeps) {
  const { reads } = orchestrator;
  app.openapi(health, (c) => c.json({ ok: true as const }, 200));
  app.openapi(dashboard, (c) => {
    const load = reads.targetLoad();
    const { pullRequests, ...summary } = reads.dashboardSummary();
    return c.json(
      {
        info,
        summary,
        targets: reads.listTargets().map((target) => ({ ...target, used: load[target.id] ?? 0 })),
        questions: reads.listQuestions({ status: 'open' }),
        pullRequests,
        providers: reads.listProviderUsage(),
        latestEventId: reads.latestEventId(),
      },
      200,
    );
  });
  app.openapi(history, (c) => c.json(reads.objectiveHistory(c.req.valid('query')), 200));
  app.openapi(replicas, (c) => c.json({ replicas: reads.listReplicas(), leaseMs }, 200));
  app.openapi(events, (c) => {
    const resume = Number(c.req.valid('header')['last-event-id'] ?? Number.NaN);
    const { after } = c.req.valid('query');
    return eventFeed(c, reads, Number.isFinite(resume) ? resume : (after ?? reads.latestEventId()));
  });
}
