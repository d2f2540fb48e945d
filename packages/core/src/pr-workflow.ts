import { evaluatePush, OrchaError, type PullRequest, type Session } from '@orcha/model';
import { resolveBaseBranch } from './base-branch.js';
import type { Context } from './context.js';
import { commitForPush } from './worker-commits.js';

/** Branch names orcha makes: `orcha/<short id>-<slug of the title>`. */
export function branchName(session: Session): string {
  const slug = session.title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
  return `orcha/${session.id.slice(-8).toLowerCase()}${slug ? `-${slug}` : ''}`;
}

function repoOf(ctx: Context, session: Session): string {
  const repo = session.repo ?? ctx.store.getObjective(session.objectiveId).repo ?? ctx.config.defaultRepo;
  if (!repo)
    throw new OrchaError('invalid_argument', 'this objective has no repository to open a pull request on');
  return repo;
}

/**
 * Pushes a worker's workspace and opens a pull request for it. What the worker left uncommitted is committed
 * first; a workspace with no commits over its base is refused ("the worker made no changes"), no PR opened.
 */
export async function publishPr(
  ctx: Context,
  worker: Session,
  request: { title: string; body: string },
): Promise<PullRequest> {
  const { store } = ctx;
  if (!worker.workspaceId) throw new OrchaError('conflict', `session ${worker.id} has no workspace yet`);
  const existing = store
    .listPullRequests({ objectiveId: worker.objectiveId })
    .find((pr) => pr.sessionId === worker.id);
  if (existing)
    throw new OrchaError('conflict', `session ${worker.id} already has pull request #${existing.number}`);
  const workspace = store.getWorkspace(worker.workspaceId);
  const target = store.getTarget(workspace.targetId);
  const repo = repoOf(ctx, worker);
  const objective = store.getObjective(worker.objectiveId);
  const branch = workspace.branch ?? branchName(worker);
  const baseBranch =
    workspace.baseBranch ?? (await resolveBaseBranch(ctx, repo, worker.baseBranch ?? objective.baseBranch));
  await commitForPush(ctx, worker, baseBranch);
  await ctx.forge.pushBranch({
    executor: ctx.executorFor(target),
    cwd: workspace.path,
    repo,
    branch,
    force: false,
  });
  ctx.probe?.('branch-pushed');
  const opened = await ctx.forge.openPullRequest({
    repo,
    branch,
    baseBranch,
    title: request.title,
    body: request.body,
  });
  return store.createPullRequest({
    objectiveId: worker.objectiveId,
    sessionId: worker.id,
    repo,
    number: opened.number,
    url: opened.url,
    title: opened.title,
    branch: opened.branch,
    baseBranch: opened.baseBranch,
    state: opened.state,
    headSha: opened.headSha,
    checks: opened.checks,
  });
}

/** Refreshes a pull request's state, head and checks from the forge. */
export async function refreshPr(ctx: Context, pr: PullRequest): Promise<PullRequest> {
  const fresh = await ctx.forge.getPullRequest({ repo: pr.repo, number: pr.number });
  if (fresh.state === pr.state && fresh.headSha === pr.headSha && fresh.checks === pr.checks) return pr;
  return ctx.store.updatePullRequest(pr.id, {
    state: fresh.state,
    headSha: fresh.headSha,
    checks: fresh.checks,
  });
}

export type UpdateOutcome =
  | { outcome: 'pushed'; pullRequest: PullRequest; forced: boolean }
  | { outcome: 'needs_manager_decision'; questionId: string; reason: string };

/**
 * Pushes new work to an open pull request. Push safety comes first (`evaluatePush` on the freshly refreshed
 * state): never to a merged PR, a closed one becomes a decision for the manager and the person, and a force
 * push needs a reason, which is recorded in the transcript.
 */
export async function updatePr(
  ctx: Context,
  caller: Session,
  request: {
    pullRequestId: string;
    sessionId?: string | undefined;
    force?: boolean | undefined;
    reason?: string | undefined;
  },
): Promise<UpdateOutcome> {
  const { store } = ctx;
  const pr = await refreshPr(ctx, scopedPr(ctx, caller, request.pullRequestId));
  const decision = evaluatePush(pr, { force: request.force ?? false, reason: request.reason });
  if (decision.decision === 'refuse')
    throw new OrchaError('push_refused', decision.reason, { pullRequestId: pr.id });
  if (decision.decision === 'needs_manager_decision') {
    const open = store
      .listQuestions({ status: 'open', objectiveId: pr.objectiveId })
      .find((question) => question.kind === 'pr_closed' && question.prompt.includes(`#${pr.number} `));
    const question =
      open ??
      store.openQuestion({
        objectiveId: pr.objectiveId,
        sessionId: caller.id,
        kind: 'pr_closed',
        prompt: `Pull request #${pr.number} (${pr.title}) is closed. Reopen it, open a new one, or drop the change?`,
        options: ['reopen', 'open a new pull request', 'drop the change'],
      });
    return { outcome: 'needs_manager_decision', questionId: question.id, reason: decision.reason };
  }
  const worker = store.getSession(request.sessionId ?? pr.sessionId ?? caller.id);
  if (worker.objectiveId !== caller.objectiveId)
    throw new OrchaError('not_found', `no session ${worker.id} in this objective`);
  if (!worker.workspaceId) throw new OrchaError('conflict', `session ${worker.id} has no workspace to push`);
  const lockKey = `pr-branch:${pr.id}`;
  const lock = store.acquireLock(lockKey, worker.id);
  if (!lock.ok)
    throw new OrchaError('lock_held', `session ${lock.holder} is updating this pull request's branch`);
  const workspace = store.getWorkspace(worker.workspaceId);
  const target = store.getTarget(workspace.targetId);
  await commitForPush(ctx, worker, pr.baseBranch, pr.headSha);
  const pushed = await ctx.forge.pushBranch({
    executor: ctx.executorFor(target),
    cwd: workspace.path,
    repo: pr.repo,
    branch: pr.branch,
    force: decision.force,
    reason: decision.reason ?? undefined,
  });
  if (decision.force) {
    store.appendMessages(caller.id, [
      {
        at: ctx.clock(),
        kind: 'system',
        text: `force-pushed pull request #${pr.number}: ${decision.reason}`,
        data: null,
      },
    ]);
  }
  const updated = store.updatePullRequest(pr.id, { headSha: pushed.headSha });
  return { outcome: 'pushed', pullRequest: updated, forced: decision.force };
}

export async function commentPr(
  ctx: Context,
  caller: Session,
  request: { pullRequestId: string; body: string },
) {
  const pr = scopedPr(ctx, caller, request.pullRequestId);
  return ctx.forge.commentPullRequest({ repo: pr.repo, number: pr.number, body: request.body });
}

function scopedPr(ctx: Context, caller: Session, pullRequestId: string): PullRequest {
  const pr = ctx.store.getPullRequest(pullRequestId);
  if (pr.objectiveId !== caller.objectiveId)
    throw new OrchaError('not_found', `no pull request ${pullRequestId} in this objective`);
  return pr;
}
