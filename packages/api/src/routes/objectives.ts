import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { ApiDeps } from '../app.js';
import { type App, body, bodyErrors, errors, json } from '../route.js';
import {
  cancelBody,
  createObjectiveBody,
  Objective,
  ObjectiveCreated,
  ObjectiveDetail,
  objectiveParams,
} from '../schemas.js';

const tags = ['Objectives'];

export const createObjective = createRoute({
  method: 'post',
  path: '/api/objectives',
  operationId: 'createObjective',
  tags,
  summary: 'Create an objective',
  description:
    'Creates an objective and its manager session. A repository without a base branch gets its default branch from the forge; a repository the forge cannot see is refused.',
  request: { body: body(createObjectiveBody, 'The objective.') },
  responses: { 201: json(ObjectiveCreated, 'Created.'), ...bodyErrors(404, 409, 503) },
});

export const listObjectives = createRoute({
  method: 'get',
  path: '/api/objectives',
  operationId: 'listObjectives',
  tags,
  summary: 'List objectives',
  description: 'Every objective, newest first.',
  responses: { 200: json(z.object({ objectives: z.array(Objective) }), 'Newest first.'), ...errors() },
});

export const getObjective = createRoute({
  method: 'get',
  path: '/api/objectives/{id}',
  operationId: 'getObjective',
  tags,
  summary: 'One objective with what it produced',
  description:
    'An objective with its sessions, pull requests, questions, notes and artifacts (without content).',
  request: { params: objectiveParams },
  responses: { 200: json(ObjectiveDetail, 'The objective.'), ...errors(404) },
});

export const cancelObjective = createRoute({
  method: 'post',
  path: '/api/objectives/{id}/cancel',
  operationId: 'cancelObjective',
  tags,
  summary: 'Cancel an objective',
  description: 'Cancels an objective and every session of it that has not ended.',
  request: { params: objectiveParams, body: body(cancelBody, 'Why.') },
  responses: {
    200: json(z.object({ objective: Objective }), 'Cancelled.'),
    ...bodyErrors(404, 409),
  },
});

export function objectiveRoutes(app: App, { orchestrator }: ApiDeps) {
  const { reads } = orchestrator;
  app.openapi(createObjective, async (c) => {
    const input = c.req.valid('json');
    const created = await orchestrator.createObjective({
      title: input.title,
      prompt: input.prompt ?? '',
      repo: input.repo ?? null,
      baseBranch: input.baseBranch ?? null,
      agent: input.agent ?? null,
      budget: input.budget ?? null,
    });
    return c.json(created, 201);
  });
  app.openapi(listObjectives, (c) => c.json({ objectives: reads.listObjectives() }, 200));
  app.openapi(getObjective, (c) => {
    const objective = reads.getObjective(c.req.valid('param').id);
    return c.json(
      {
        objective,
        sessions: reads.listSessions({ objectiveId: objective.id }),
        pullRequests: reads.listPullRequests({ objectiveId: objective.id }),
        questions: reads.listQuestions({ objectiveId: objective.id }),
        notes: reads.listNotes({ objectiveId: objective.id }),
        artifacts: reads
          .listArtifacts({ objectiveId: objective.id })
          .map(({ content: _content, ...rest }) => rest),
      },
      200,
    );
  });
  app.openapi(cancelObjective, async (c) => {
    const { reason } = c.req.valid('json');
    return c.json({ objective: await orchestrator.cancelObjective(c.req.valid('param').id, reason) }, 200);
  });
}
