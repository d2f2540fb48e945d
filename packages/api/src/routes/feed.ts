import type { Hono } from 'hono';
import type { ApiDeps } from '../app.js';
import { readQuery } from '../body.js';
import { eventsQuery, historyQuery } from '../schemas.js';
import { eventFeed } from '../sse.js';

/** The dashboard summary and its history pages, and the global change feed. */
export function feedRoutes(app: Hono, { orchestrator, info }: ApiDeps) {
  const { reads } = orchestrator;
  app.get('/api/health', (c) => c.json({ ok: true }));
  app.get('/api/dashboard', (c) => {
    const load = reads.targetLoad();
    const { pullRequests, ...summary } = reads.dashboardSummary();
    return c.json({
      info,
      summary,
      targets: reads.listTargets().map((target) => ({ ...target, used: load[target.id] ?? 0 })),
      questions: reads.listQuestions({ status: 'open' }),
      pullRequests,
      providers: reads.listProviderUsage(),
      latestEventId: reads.latestEventId(),
    });
  });
  app.get('/api/dashboard/history', (c) => c.json(reads.objectiveHistory(readQuery(c, historyQuery))));
  app.get('/api/events', (c) => {
    const resume = Number(c.req.header('last-event-id') ?? Number.NaN);
    const { after } = readQuery(c, eventsQuery);
    return eventFeed(c, reads, Number.isFinite(resume) ? resume : (after ?? reads.latestEventId()));
  });
}
