import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { ApiDeps } from '../app.js';
import { type App, body, bodyErrors, errors, eventStream, json } from '../route.js';
import {
  cancelBody,
  Delivery,
  MessagesPage,
  messagesQuery,
  Screen,
  Session,
  SessionDetail,
  sessionParams,
  sessionsQuery,
  steerBody,
  streamQuery,
  TranscriptFrame,
} from '../schemas.js';
import { sessionStream } from '../sse.js';

const tags = ['Sessions'];

export const listSessions = createRoute({
  method: 'get',
  path: '/api/sessions',
  operationId: 'listSessions',
  tags,
  summary: 'List sessions',
  description: 'Sessions, optionally of one objective and in some statuses.',
  request: { query: sessionsQuery },
  responses: { 200: json(z.object({ sessions: z.array(Session) }), 'The sessions.'), ...errors(400) },
});

export const getSession = createRoute({
  method: 'get',
  path: '/api/sessions/{id}',
  operationId: 'getSession',
  tags,
  summary: 'One session',
  description: 'A session with its workspace and target, whether its run is live and how it is steered.',
  request: { params: sessionParams },
  responses: { 200: json(SessionDetail, 'The session.'), ...errors(404) },
});

export const steerSession = createRoute({
  method: 'post',
  path: '/api/sessions/{id}/messages',
  operationId: 'steerSession',
  tags,
  summary: 'Steer a session',
  description:
    'Sends a message to a session: live into an interactive run, by restarting a headless one, or queued until it runs.',
  request: { params: sessionParams, body: body(steerBody, 'The message.') },
  responses: {
    202: json(z.object({ delivery: Delivery }), 'Accepted.'),
    ...bodyErrors(404, 409),
  },
});

export const cancelSession = createRoute({
  method: 'post',
  path: '/api/sessions/{id}/cancel',
  operationId: 'cancelSession',
  tags,
  summary: 'Cancel a session',
  description: 'Cancels a session and its run.',
  request: { params: sessionParams, body: body(cancelBody, 'Why.') },
  responses: { 200: json(z.object({ session: Session }), 'Cancelled.'), ...bodyErrors(404, 409) },
});

export const listMessages = createRoute({
  method: 'get',
  path: '/api/sessions/{id}/messages',
  operationId: 'listMessages',
  tags,
  summary: 'A page of a transcript',
  description: 'Transcript messages after the seq `after`, oldest first.',
  request: { params: sessionParams, query: messagesQuery },
  responses: { 200: json(MessagesPage, 'One page.'), ...errors(400, 404) },
});

export const streamTranscript = createRoute({
  method: 'get',
  path: '/api/sessions/{id}/stream',
  operationId: 'streamTranscript',
  tags,
  summary: 'A transcript, live (SSE)',
  description:
    "Server-sent events: the session's messages after `after` (SSE `id` = seq, resume with `Last-Event-ID`), then live ones and status changes; `end` once the session has ended and everything was sent.",
  request: {
    params: sessionParams,
    query: streamQuery,
    headers: z.object({
      'last-event-id': z.string().optional().describe('Resume after this seq (wins over `after`).'),
    }),
  },
  responses: { 200: eventStream(TranscriptFrame, 'The transcript stream.'), ...errors(400, 404) },
});

export const getScreen = createRoute({
  method: 'get',
  path: '/api/sessions/{id}/screen',
  operationId: 'getScreen',
  tags,
  summary: "A session's terminal",
  description:
    'The live terminal of a session whose run shows one (tmux), and the command that attaches to it.',
  request: { params: sessionParams },
  responses: { 200: json(Screen, 'The screen.'), ...errors(404, 409, 503) },
});

export function sessionRoutes(app: App, { orchestrator }: ApiDeps) {
  const { reads } = orchestrator;
  app.openapi(listSessions, (c) => {
    const query = c.req.valid('query');
    return c.json(
      { sessions: reads.listSessions({ objectiveId: query.objectiveId, statuses: query.status }) },
      200,
    );
  });
  app.openapi(getSession, (c) => {
    const session = reads.getSession(c.req.valid('param').id);
    const live = orchestrator.liveRun(session.id);
    return c.json(
      {
        session,
        live: live !== null,
        steering:
          session.interactivity === 'interactive' ? ('live' as const) : ('cancel_and_resume' as const),
        workspace: session.workspaceId ? reads.getWorkspace(session.workspaceId) : null,
        target: session.targetId ? reads.getTarget(session.targetId) : null,
      },
      200,
    );
  });
  app.openapi(steerSession, async (c) => {
    const delivery = await orchestrator.steer(c.req.valid('param').id, c.req.valid('json').text);
    return c.json({ delivery }, 202);
  });
  app.openapi(cancelSession, async (c) => {
    const session = await orchestrator.cancelSession(c.req.valid('param').id, c.req.valid('json').reason);
    return c.json({ session }, 200);
  });
  app.openapi(listMessages, (c) => {
    const session = reads.getSession(c.req.valid('param').id);
    const query = c.req.valid('query');
    const messages = reads.listMessages(session.id, { after: query.after, limit: query.limit });
    const last = messages[messages.length - 1];
    return c.json(
      {
        messages,
        next: last && messages.length === query.limit ? last.seq : null,
        total: session.messageCount,
      },
      200,
    );
  });
  app.openapi(streamTranscript, (c) => {
    const session = reads.getSession(c.req.valid('param').id);
    const resume = Number(c.req.valid('header')['last-event-id'] ?? Number.NaN);
    const after = Number.isFinite(resume) ? resume : c.req.valid('query').after;
    return sessionStream(c, reads, session.id, after);
  });
  app.openapi(getScreen, async (c) => {
    const session = reads.getSession(c.req.valid('param').id);
    const screen = await orchestrator.snapshot(session.id);
    return c.json({ screen, attachCommand: session.attachCommand }, 200);
  });
}
