import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { ApiDeps } from '../app.js';
import { type App, body, bodyErrors, errors, json } from '../route.js';
import {
  Artifact,
  ArtifactSummary,
  answerBody,
  artifactParams,
  Note,
  objectiveFilterQuery,
  PullRequestWithFeedback,
  Question,
  questionParams,
  questionsQuery,
} from '../schemas.js';

export const listQuestions = createRoute({
  method: 'get',
  path: '/api/questions',
  operationId: 'listQuestions',
  tags: ['Questions'],
  summary: 'List questions',
  description: 'Questions for the person, optionally in one status and of one objective.',
  request: { query: questionsQuery },
  responses: { 200: json(z.object({ questions: z.array(Question) }), 'The questions.'), ...errors(400) },
});

export const answerQuestion = createRoute({
  method: 'post',
  path: '/api/questions/{id}/answer',
  operationId: 'answerQuestion',
  tags: ['Questions'],
  summary: 'Answer a question',
  description: 'Answers an open question; what waits on it resumes.',
  request: { params: questionParams, body: body(answerBody, 'The answer.') },
  responses: { 200: json(z.object({ question: Question }), 'Answered.'), ...bodyErrors(404, 409) },
});

export const listPullRequests = createRoute({
  method: 'get',
  path: '/api/pull-requests',
  operationId: 'listPullRequests',
  tags: ['Outputs'],
  summary: 'List pull requests',
  description: 'Pull requests with their review feedback, optionally of one objective.',
  request: { query: objectiveFilterQuery },
  responses: {
    200: json(z.object({ pullRequests: z.array(PullRequestWithFeedback) }), 'The pull requests.'),
    ...errors(400),
  },
});

export const listNotes = createRoute({
  method: 'get',
  path: '/api/notes',
  operationId: 'listNotes',
  tags: ['Outputs'],
  summary: 'List notes',
  description: 'Notes sessions left, optionally of one objective or session.',
  request: { query: objectiveFilterQuery },
  responses: { 200: json(z.object({ notes: z.array(Note) }), 'The notes.'), ...errors(400) },
});

export const listArtifacts = createRoute({
  method: 'get',
  path: '/api/artifacts',
  operationId: 'listArtifacts',
  tags: ['Outputs'],
  summary: 'List artifacts',
  description: 'Artifacts without their content, optionally of one objective or session.',
  request: { query: objectiveFilterQuery },
  responses: {
    200: json(z.object({ artifacts: z.array(ArtifactSummary) }), 'The artifacts.'),
    ...errors(400),
  },
});

export const getArtifact = createRoute({
  method: 'get',
  path: '/api/artifacts/{id}',
  operationId: 'getArtifact',
  tags: ['Outputs'],
  summary: 'One artifact',
  description: 'An artifact with its content.',
  request: { params: artifactParams },
  responses: { 200: json(z.object({ artifact: Artifact }), 'The artifact.'), ...errors(404) },
});

/** Questions, pull requests, notes and artifacts: what the work produced and what it needs. */
export function outputRoutes(app: App, { orchestrator }: ApiDeps) {
  const { reads } = orchestrator;
  app.openapi(listQuestions, (c) => c.json({ questions: reads.listQuestions(c.req.valid('query')) }, 200));
  app.openapi(answerQuestion, async (c) => {
    const question = await orchestrator.answerQuestion(c.req.valid('param').id, c.req.valid('json').answer);
    return c.json({ question }, 200);
  });
  app.openapi(listPullRequests, (c) => {
    const pullRequests = reads.listPullRequests({ objectiveId: c.req.valid('query').objectiveId });
    return c.json(
      { pullRequests: pullRequests.map((pr) => ({ ...pr, feedback: reads.listFeedback(pr.id) })) },
      200,
    );
  });
  app.openapi(listNotes, (c) => c.json({ notes: reads.listNotes(c.req.valid('query')) }, 200));
  app.openapi(listArtifacts, (c) =>
    c.json(
      {
        artifacts: reads.listArtifacts(c.req.valid('query')).map(({ content: _content, ...rest }) => rest),
      },
      200,
    ),
  );
  app.openapi(getArtifact, (c) => c.json({ artifact: reads.getArtifact(c.req.valid('param').id) }, 200));
}
