import type { Hono } from 'hono';
import type { ApiDeps } from '../app.js';
import { readQuery } from '../body.js';
import { eventsQuery } from '../schemas.js';
import { eventFeed } from '../sse.js';

/** The dashboard summary and the global change feed. */
export function feedRoutes(app: Hono, { orchestrator, info }: ApiDeps) {
  const { store } = orchestrator;
  app.get('/api/health', (c) => c.json({ ok: true }));
  app.get('/api/dashboard', (c) => {
    const load = store.targetLoad();
    return c.json({
      info,
      summary: store.dashboardSummary(),
      targets: store.listTargets().map((target) => ({ ...target, used: load[target.id] ?? 0 })),
      questions: store.listQuestions({ status: 'open' }),
      pullRequests: store.listPullRequests({}),
      providers: store.listProviderUsage(),
      latestEventId: store.latestEventId(),
    });
  });
  app.get('/api/events', (c) => {
    const resume = Number(c.req.header('last-event-id') ?? Number.NaN);
    const { after } = readQuery(c, eventsQuery);
    return eventFeed(c, store, Number.isFinite(resume) ? resume : (after ?? store.latestEventId()));
  });
}
