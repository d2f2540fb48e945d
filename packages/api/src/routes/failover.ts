import { agentNameSchema } from '@orcha/model';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { ApiDeps } from '../app.js';
import { readBody } from '../body.js';

export const continueOnBody = z.object({ agent: agentNameSchema }).strict();

/**
 * "Continue on…": the person moves a session to another agent mid-task. It starts again there in the same
 * workspace from a handoff; its manager is told. An unknown agent or the session's own is 400, an exhausted
 * one 429 (`exhausted`), a finished session 409.
 */
export function failoverRoutes(app: Hono, { orchestrator }: ApiDeps) {
  app.post('/api/sessions/:id/continue-on', async (c) => {
    const body = await readBody(c, continueOnBody);
    return c.json({ session: await orchestrator.continueOn(c.req.param('id'), body.agent) });
  });
}
