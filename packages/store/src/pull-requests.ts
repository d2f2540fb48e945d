import {
  branchSchema,
  feedbackKindSchema,
  idSchema,
  OrchaError,
  type PrFeedback,
  type PullRequest,
  pullRequestMachine,
  pullRequestStateSchema,
} from '@orcha/model';
import { and, asc, eq, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { parseInput, type StoreContext } from './database.js';
import { toPullRequest } from './rows.js';
import { prFeedback, pullRequests } from './schema.js';

const checksSchema = z.enum(['pending', 'passing', 'failing', 'none']);

const createInput = z.object({
  objectiveId: idSchema('objective'),
  sessionId: idSchema('session').nullish(),
  repo: z.string().min(1).max(500),
  number: z.number().int().positive(),
  url: z.string().min(1).max(2_000),
  title: z.string().min(1).max(500),
  branch: branchSchema,
  baseBranch: branchSchema,
  state: pullRequestStateSchema.optional(),
  headSha: z.string().min(1).max(100),
  checks: checksSchema.optional(),
});
export type NewPullRequest = z.input<typeof createInput>;

const patchInput = z
  .object({
    state: pullRequestStateSchema,
    headSha: z.string().min(1).max(100),
    checks: checksSchema,
    title: z.string().min(1).max(500),
  })
  .partial()
  .strict();
export type PullRequestPatch = z.input<typeof patchInput>;

const feedbackInput = z.object({
  externalId: z.string().min(1).max(300),
  kind: feedbackKindSchema,
  author: z.string().max(200),
  body: z.string().max(200_000),
  createdAt: z.number().int().nonnegative(),
});
export type NewFeedback = z.input<typeof feedbackInput>;

export function pullRequestQueries(ctx: StoreContext) {
  const get = (id: string): PullRequest => {
    const row = ctx.db.select().from(pullRequests).where(eq(pullRequests.id, id)).get();
    if (!row) throw new OrchaError('not_found', `no pull request ${id}`);
    return toPullRequest(row);
  };
  return {
    getPullRequest: get,

    createPullRequest(input: z.input<typeof createInput>): PullRequest {
      const data = parseInput(createInput, input, 'pull request');
      return ctx.write((emit) => {
        const duplicate = ctx.db
          .select({ id: pullRequests.id })
          .from(pullRequests)
          .where(and(eq(pullRequests.repo, data.repo), eq(pullRequests.number, data.number)))
          .get();
        if (duplicate)
          throw new OrchaError('conflict', `pull request ${data.repo}#${data.number} is already recorded`);
        const now = ctx.clock();
        const pr: PullRequest = {
          id: ctx.ids('pullRequest'),
          objectiveId: data.objectiveId,
          sessionId: data.sessionId ?? null,
          repo: data.repo,
          number: data.number,
          url: data.url,
          title: data.title,
          branch: data.branch,
          baseBranch: data.baseBranch,
          state: data.state ?? 'open',
          headSha: data.headSha,
          checks: data.checks ?? 'none',
          createdAt: now,
          updatedAt: now,
        };
        ctx.db.insert(pullRequests).values(pr).run();
        emit({
          type: 'pr-open',
          objectiveId: pr.objectiveId,
          sessionId: pr.sessionId,
          pullRequestId: pr.id,
          number: pr.number,
        });
        return pr;
      });
    },

    listPullRequests(
      filter: { objectiveId?: string | undefined; state?: PullRequest['state'] } = {},
    ): PullRequest[] {
      const where: SQL[] = [];
      if (filter.objectiveId) where.push(eq(pullRequests.objectiveId, filter.objectiveId));
      if (filter.state) where.push(eq(pullRequests.state, filter.state));
      return ctx.db
        .select()
        .from(pullRequests)
        .where(where.length ? and(...where) : undefined)
        .orderBy(asc(pullRequests.createdAt))
        .all()
        .map(toPullRequest);
    },

    /** Updates state, head and checks; a state change is validated (a merged pull request stays merged). */
    updatePullRequest(id: string, patch: z.input<typeof patchInput>): PullRequest {
      const data = parseInput(patchInput, patch, 'pull request update');
      return ctx.write((emit) => {
        const current = get(id);
        if (data.state && data.state !== current.state)
          pullRequestMachine.assertTransition(current.state, data.state);
        ctx.db
          .update(pullRequests)
          .set({ ...data, updatedAt: ctx.clock() })
          .where(eq(pullRequests.id, id))
          .run();
        const updated = get(id);
        emit({
          type: 'pr-update',
          objectiveId: updated.objectiveId,
          pullRequestId: id,
          state: updated.state,
          headSha: updated.headSha,
        });
        return updated;
      });
    },

    /** Records a feedback item once: polling the same item again returns it with `inserted: false`. */
    addFeedback(
      pullRequestId: string,
      item: z.input<typeof feedbackInput>,
    ): { feedback: PrFeedback; inserted: boolean } {
      const data = parseInput(feedbackInput, item, 'feedback');
      return ctx.write((emit) => {
        const pr = get(pullRequestId);
        const existing = ctx.db
          .select()
          .from(prFeedback)
          .where(and(eq(prFeedback.pullRequestId, pullRequestId), eq(prFeedback.externalId, data.externalId)))
          .get();
        if (existing) return { feedback: existing as PrFeedback, inserted: false };
        const feedback: PrFeedback = {
          id: ctx.ids('feedback'),
          pullRequestId,
          followupSessionId: null,
          ...data,
        };
        ctx.db.insert(prFeedback).values(feedback).run();
        emit({
          type: 'feedback-receive',
          objectiveId: pr.objectiveId,
          pullRequestId,
          feedbackId: feedback.id,
          kind: feedback.kind,
        });
        return { feedback, inserted: true };
      });
    },

    listFeedback(pullRequestId: string): PrFeedback[] {
      return ctx.db
        .select()
        .from(prFeedback)
        .where(eq(prFeedback.pullRequestId, pullRequestId))
        .orderBy(asc(prFeedback.createdAt))
        .all() as PrFeedback[];
    },

    setFeedbackFollowup(feedbackId: string, sessionId: string): void {
      parseInput(idSchema('session'), sessionId, 'follow-up session');
      ctx.write(() => {
        const changed = ctx.db
          .update(prFeedback)
          .set({ followupSessionId: sessionId })
          .where(eq(prFeedback.id, feedbackId))
          .run();
        if (changed.changes === 0) throw new OrchaError('not_found', `no feedback ${feedbackId}`);
      });
    },
  };
}
