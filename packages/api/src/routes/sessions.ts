import type { Hono } from 'hono';
import type { ApiDeps } from '../app.js';
import { readBody, readQuery } from '../body.js';
import { cancelBody, messagesQuery, sessionsQuery, steerBody } from '../schemas.js';
import { sessionStream } from '../sse.js';

export function sessionRoutes(app: Hono, { orchestrator }: ApiDeps) {
  const { reads } = orchestrator;
  app.get('/api/sessions', (c) => {
    const query = readQuery(c, sessionsQuery);
    return c.json({
      sessions: reads.listSessions({ objectiveId: query.objectiveId, statuses: query.status }),
    });
  });
  app.get('/api/sessions/:id', (c) => {
    const session = reads.getSession(c.req.param('id'));
    const live = orchestrator.liveRun(session.id);
    return c.json({
      session,
      live: live !== null,
      steering: session.interactivity === 'interactive' ? 'live' : 'cancel_and_resume',
      workspace: session.workspaceId ? reads.getWorkspace(session.workspaceId) : null,
      target: session.targetId ? reads.getTarget(session.targetId) : null,
    });
  });
  app.post('/api/sessions/:id/messages', async (c) => {
    const body = await readBody(c, steerBody);
    const delivery = await orchestrator.steer(c.req.param('id'), body.text);
    return c.json({ delivery }, 202);
  });
  app.post('/api/sessions/:id/cancel', async (c) => {
    const body = await readBody(c, cancelBody);
    return c.json({ session: await orchestrator.cancelSession(c.req.param('id'), body.reason) });
  });
  app.get('/api/sessions/:id/messages', (c) => {
    const session = reads.getSession(c.req.param('id'));
    const query = readQuery(c, messagesQuery);
    const messages = reads.listMessages(session.id, { after: query.after, limit: query.limit });
    const last = messages[messages.length - 1];
    return c.json({
      messages,
      next: last && messages.length === query.limit ? last.seq : null,
      total: session.messageCount,
    });
  });
  app.get('/api/sessions/:id/stream', (c) => {
    const session = reads.getSession(c.req.param('id'));
    const resume = Number(c.req.header('last-event-id') ?? Number.NaN);
    const query = readQuery(c, messagesQuery);
    return sessionStream(c, reads, session.id, Number.isFinite(resume) ? resume : query.after);
  });
  app.get('/api/sessions/:id/screen', async (c) => {
    const session = reads.getSession(c.req.param('id'));
    const screen = await orchestrator.snapshot(session.id);
    return c.json({ screen, attachCommand: session.attachCommand });
  });
}
