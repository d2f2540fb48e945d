import type { Hono } from 'hono';
import type { ApiDeps } from '../app.js';
import { readBody, readQuery } from '../body.js';
import { answerBody, objectiveFilterQuery, questionsQuery } from '../schemas.js';

/** Questions, pull requests, notes and artifacts: what the work produced and what it needs. */
export function outputRoutes(app: Hono, { orchestrator }: ApiDeps) {
  const { reads } = orchestrator;
  app.get('/api/questions', (c) => c.json({ questions: reads.listQuestions(readQuery(c, questionsQuery)) }));
  app.post('/api/questions/:id/answer', async (c) => {
    const body = await readBody(c, answerBody);
    return c.json({ question: await orchestrator.answerQuestion(c.req.param('id'), body.answer) });
  });
  app.get('/api/pull-requests', (c) => {
    const { objectiveId } = readQuery(c, objectiveFilterQuery);
    const pullRequests = reads.listPullRequests({ objectiveId });
    return c.json({
      pullRequests: pullRequests.map((pr) => ({ ...pr, feedback: reads.listFeedback(pr.id) })),
    });
  });
  app.get('/api/notes', (c) => c.json({ notes: reads.listNotes(readQuery(c, objectiveFilterQuery)) }));
  app.get('/api/artifacts', (c) =>
    c.json({
      artifacts: reads
        .listArtifacts(readQuery(c, objectiveFilterQuery))
        .map(({ content: _content, ...rest }) => rest),
    }),
  );
  app.get('/api/artifacts/:id', (c) => c.json({ artifact: reads.getArtifact(c.req.param('id')) }));
}
