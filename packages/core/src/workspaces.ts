import type { Executor } from '@orcha/exec';
import type { Session, Target } from '@orcha/model';
import { resolveBaseBranch } from './base-branch.js';
import type { Context } from './context.js';

/**
 * Gives a session its directory on its target: the one it already has, or a new one from the Preparer —
 * an isolated checkout when the session (or its objective) names a repository, the pull request's branch
 * for follow-ups, a scratch directory otherwise. Runs on the session's placed target, through its Executor.
 */
export async function ensureWorkspace(
  ctx: Context,
  session: Session,
  target: Target,
  executor: Executor,
): Promise<string> {
  const { store } = ctx;
  if (session.workspaceId) return store.getWorkspace(session.workspaceId).path;
  const objective = store.getObjective(session.objectiveId);
  const repo = session.repo ?? objective.repo;
  const pullRequest = session.pullRequestId ? store.getPullRequest(session.pullRequestId) : null;
  const kind = pullRequest
    ? 'pr_branch'
    : session.workspaceKind === 'isolated' && !repo
      ? 'scratch'
      : session.workspaceKind;
  // The objective's base was resolved when it was made; a worker sent to another repository gets that one's.
  const baseBranch =
    repo && kind === 'isolated'
      ? await resolveBaseBranch(ctx, repo, session.baseBranch ?? (session.repo ? null : objective.baseBranch))
      : null;
  const prepared = await ctx.preparer.prepare({
    executor,
    workRoot: target.workRoot,
    objectiveId: session.objectiveId,
    sessionId: session.id,
    kind,
    repo: pullRequest?.repo ?? repo ?? undefined,
    baseBranch: pullRequest?.baseBranch ?? baseBranch ?? undefined,
    branch: pullRequest?.branch,
    title: session.title,
  });
  const workspace = store.createWorkspace({
    objectiveId: session.objectiveId,
    sessionId: session.id,
    targetId: target.id,
    kind: prepared.kind,
    path: prepared.path,
    repo: pullRequest?.repo ?? repo ?? null,
    branch: prepared.branch,
    baseBranch: prepared.baseBranch,
    status: 'ready',
  });
  store.updateSession(session.id, { workspaceId: workspace.id });
  return prepared.path;
}
