import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { OrchaError } from '@orcha/model';
import type { Hono } from 'hono';
import type { ApiDeps } from '../app.js';
import { readQuery } from '../body.js';
import { eventsQuery, historyQuery } from '../schemas.js';
import { eventFeed } from '../sse.js';

/** The dashboard summary and its history pages, the global change feed and the per-session MCP endpoint. */
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
  app.all('/mcp/:sessionId', async (c) => {
    const token = (c.req.header('authorization') ?? '').replace(/^Bearer\s+/i, '');
    if (!token) throw new OrchaError('unauthorized', 'a bearer token is required');
    const server = orchestrator.mcpServerFor(c.req.param('sessionId'), token);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      void server.close();
    }
  });
}
