import type { Hono } from 'hono';
import type { ApiDeps } from '../app.js';
import { readBody } from '../body.js';
import { cancelBody, createObjectiveBody } from '../schemas.js';

export function objectiveRoutes(app: Hono, { orchestrator }: ApiDeps) {
  const { reads } = orchestrator;
  app.post('/api/objectives', async (c) => {
    const body = await readBody(c, createObjectiveBody);
    const created = await orchestrator.createObjective({
      title: body.title,
      prompt: body.prompt,
      repo: body.repo ?? null,
      baseBranch: body.baseBranch ?? body.base_branch ?? null,
      agent: body.agent ?? null,
      budget: body.budget ?? null,
    });
    return c.json(created, 201);
  });
  app.get('/api/objectives', (c) => c.json({ objectives: reads.listObjectives() }));
  app.get('/api/objectives/:id', (c) => {
    const objective = reads.getObjective(c.req.param('id'));
    return c.json({
      objective,
      sessions: reads.listSessions({ objectiveId: objective.id }),
      pullRequests: reads.listPullRequests({ objectiveId: objective.id }),
      questions: reads.listQuestions({ objectiveId: objective.id }),
      notes: reads.listNotes({ objectiveId: objective.id }),
      artifacts: reads
        .listArtifacts({ objectiveId: objective.id })
        .map(({ content: _content, ...rest }) => rest),
    });
  });
  app.post('/api/objectives/:id/cancel', async (c) => {
    const body = await readBody(c, cancelBody);
    return c.json({ objective: await orchestrator.cancelObjective(c.req.param('id'), body.reason) });
  });
}
