import { createRoute } from '@hono/zod-openapi';
import { agentNameSchema } from '@orcha/model';
import { z } from 'zod';
import type { ApiDeps } from '../app.js';
import { type App, body, bodyErrors, json } from '../route.js';
import { Session, sessionParams } from '../schemas.js';

export const continueOnBody = z
  .object({ agent: agentNameSchema.describe('The agent to continue on.') })
  .strict()
  .meta({ id: 'ContinueOn', description: 'Where a session continues.' });

export const continueOn = createRoute({
  method: 'post',
  path: '/api/sessions/{id}/continue-on',
  operationId: 'continueOn',
  tags: ['Sessions'],
  summary: 'Continue a session on another agent',
  description:
    '"Continue on…": the person moves a session to another agent mid-task. It starts again there in the same workspace from a handoff; its manager is told. An unknown agent or the session’s own is 400, an exhausted one 429 (`exhausted`), a finished session 409.',
  request: { params: sessionParams, body: body(continueOnBody, 'The agent.') },
  responses: {
    200: json(z.object({ session: Session }), 'The session, continuing on the agent.'),
    ...bodyErrors(404, 409, 429),
  },
});

export function failoverRoutes(app: App, { orchestrator }: ApiDeps) {
  app.openapi(continueOn, async (c) =>
    c.json(
      { session: await orchestrator.continueOn(c.req.valid('param').id, c.req.valid('json').agent) },
      200,
    ),
  );
}
