import { OrchaError, type Session, type Workspace } from '@orcha/model';
import { type CommitOutcome, commitWorkspaceChanges } from '@orcha/workspace';
import type { Context } from './context.js';

/** Workspaces whose work becomes a pull request: only these are ever committed by orcha. */
const committable = new Set<Workspace['kind']>(['isolated', 'pr_branch']);

/** The commit message: the session's title, then what it said it did. */
function commitMessage(session: Session, summary: string | null): string {
  const body = (summary ?? session.result ?? '').trim().slice(0, 20_000);
  return body ? `${session.title}\n\n${body}\n` : `${session.title}\n`;
}

/**
 * Commits what a session's agent left uncommitted in its isolated or PR-branch workspace, on the session's
 * branch, as orcha (`config.gitIdentity`), through the target's Executor — outside the agent's sandbox,
 * where a sandboxed agent cannot write `.git`. An agent that committed its work is left alone. The commit
 * is a system message in the session's transcript and a `workspace-commit` event in the feed.
 */
export async function commitLeftovers(
  ctx: Context,
  sessionId: string,
  options: { summary?: string | null; baseBranch?: string } = {},
): Promise<CommitOutcome | null> {
  const { store } = ctx;
  const session = store.getSession(sessionId);
  if (!session.workspaceId) return null;
  const workspace = store.getWorkspace(session.workspaceId);
  if (!committable.has(workspace.kind)) return null;
  const executor = ctx.executorFor(store.getTarget(workspace.targetId));
  const outcome = await commitWorkspaceChanges({
    executor,
    cwd: workspace.path,
    identity: ctx.config.gitIdentity,
    message: commitMessage(session, options.summary ?? null),
    baseBranch: options.baseBranch,
  });
  if (!outcome.commit) return outcome;
  const { sha, files } = outcome.commit;
  const count = files.length;
  store.appendMessages(session.id, [
    {
      at: ctx.clock(),
      kind: 'system',
      text: `orcha committed ${count} file${count === 1 ? '' : 's'} the agent left uncommitted on ${workspace.branch ?? 'its branch'}: ${sha.slice(0, 12)}`,
      data: { sha, branch: workspace.branch, files: files.slice(0, 200) },
    },
  ]);
  store.recordWorkspaceCommit(workspace.id, { sha, files: count });
  return outcome;
}

/** At a worker's turn end: its leftovers are committed; a failure is recorded, never fatal to the session. */
export async function commitAtTurnEnd(
  ctx: Context,
  sessionId: string,
  summary: string | null,
): Promise<void> {
  try {
    await commitLeftovers(ctx, sessionId, { summary });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.log('warn', 'could not commit what the worker left', { sessionId, error: message });
    ctx.store.appendMessages(sessionId, [
      {
        at: ctx.clock(),
        kind: 'error',
        text: `orcha could not commit the workspace: ${message}`,
        data: null,
      },
    ]);
  }
}

/**
 * Makes a worker's workspace ready to push: commits what it left, then refuses a workspace without work —
 * no commits over its base (a pull request would be empty: GitHub refuses it with 422, and nobody would be
 * told the work was lost), or for an update nothing the pull request's head (`pushedHead`) lacks.
 */
export async function commitForPush(
  ctx: Context,
  session: Session,
  baseBranch: string,
  pushedHead?: string,
): Promise<void> {
  const outcome = await commitLeftovers(ctx, session.id, { baseBranch });
  // A plain directory (the offline demo's scratch "checkouts") has no history to compare: the forge decides.
  if (!outcome || outcome.state === 'not_git') return;
  if (outcome.ahead === 0 || outcome.head === null)
    throw new OrchaError(
      'conflict',
      `the worker made no changes: session ${session.id} ("${session.title}") has no commits over ${baseBranch} and nothing uncommitted, so there is nothing to open a pull request for. Give the work to a worker again with clearer instructions, or tell the person.`,
      { reason: 'no_changes', sessionId: session.id, baseBranch },
    );
  if (pushedHead !== undefined && outcome.head === pushedHead)
    throw new OrchaError(
      'conflict',
      `the worker made no changes: session ${session.id} ("${session.title}") has nothing the pull request does not already have (${pushedHead.slice(0, 12)})`,
      { reason: 'no_changes', sessionId: session.id },
    );
}
