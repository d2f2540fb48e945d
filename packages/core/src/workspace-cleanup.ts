import { posix } from 'node:path';
import { type OrchaEvent, sessionMachine, type Workspace } from '@orcha/model';
import type { Context } from './context.js';

/**
 * Whether a workspace can go: its session has ended, its objective has ended (until then the manager may
 * still publish it), and no open pull request was opened from it (follow-ups and update_pr push from it).
 */
function removable(ctx: Context, workspace: Workspace, openPrSessions: ReadonlySet<string>): boolean {
  if (workspace.status === 'removed') return false;
  if (workspace.sessionId) {
    if (!sessionMachine.isTerminal(ctx.store.getSession(workspace.sessionId).status)) return false;
    if (openPrSessions.has(workspace.sessionId)) return false;
  }
  return ctx.store.getObjective(workspace.objectiveId).status !== 'active';
}

const sweeps = new WeakMap<Context, Promise<unknown>>();
const timers = new WeakMap<Context, NodeJS.Timeout>();

/** How long after the event that may free a workspace the clean-up runs (so a finishing run can exit). */
const cleanupDelayMs = 1_000;

/**
 * Schedules a clean-up when events may have freed workspaces: a session ended, an objective ended, a pull
 * request changed state. Coalesced: one sweep per burst of events. The orchestrator calls this with every
 * batch of committed events.
 */
export function cleanupAfter(ctx: Context, events: readonly OrchaEvent[]): void {
  const relevant = events.some(
    (event) =>
      (event.type === 'session-status-change' && sessionMachine.isTerminal(event.to)) ||
      (event.type === 'objective-status-change' && event.to !== 'active') ||
      (event.type === 'pr-update' && event.state !== 'open'),
  );
  if (!relevant || timers.has(ctx)) return;
  const timer = setTimeout(() => {
    timers.delete(ctx);
    cleanupWorkspaces(ctx).catch((error: unknown) =>
      ctx.log('warn', 'workspace clean-up failed', { error: String(error) }),
    );
  }, cleanupDelayMs);
  timer.unref?.();
  timers.set(ctx, timer);
}

/** Cancels a scheduled clean-up and waits for a running one (on shutdown). */
export async function stopCleanup(ctx: Context): Promise<void> {
  const timer = timers.get(ctx);
  if (timer) clearTimeout(timer);
  timers.delete(ctx);
  await sweeps.get(ctx)?.catch(() => {});
}

/**
 * The workspace clean-up policy: removes the directories of finished sessions once their objective has
 * ended, keeping any whose pull request is still open (removed after it merges or closes). Runs on every
 * doctor run; callers may also run it when an objective ends or a pull request closes. Sweeps are
 * serialized; a target that cannot be reached is skipped and tried again next time.
 */
export function cleanupWorkspaces(
  ctx: Context,
  options: { targetId?: string | undefined } = {},
): Promise<{ kept: number; removed: number }> {
  const previous = sweeps.get(ctx) ?? Promise.resolve();
  const next = previous.catch(() => {}).then(() => sweep(ctx, options.targetId));
  sweeps.set(ctx, next);
  return next;
}

async function sweep(ctx: Context, targetId: string | undefined): Promise<{ kept: number; removed: number }> {
  const { store } = ctx;
  const live = store.listWorkspaces(targetId ? { targetId } : {}).filter((w) => w.status !== 'removed');
  const openPrSessions = new Set(
    store.listPullRequests({ state: 'open' }).flatMap((pr) => (pr.sessionId ? [pr.sessionId] : [])),
  );
  let removed = 0;
  let forgotten = 0;
  // Per target, the workspaces that can go: removed in one command each batch, not one per workspace.
  const byTarget = new Map<string, Workspace[]>();
  for (const workspace of live) {
    if (!removable(ctx, workspace, openPrSessions)) continue;
    const target = store.getTarget(workspace.targetId);
    if (!workspace.path.startsWith(`${posix.resolve(target.workRoot, 'sessions')}/`)) {
      // Made under an earlier work root: not ours to delete any more, so forget it instead of retrying.
      store.updateWorkspace(workspace.id, { status: 'removed' });
      ctx.log('warn', `workspace ${workspace.id} is outside the work root of ${target.name}; left on disk`, {
        path: workspace.path,
      });
      forgotten++;
      continue;
    }
    byTarget.set(target.id, [...(byTarget.get(target.id) ?? []), workspace]);
  }
  for (const [targetId, workspaces] of byTarget) {
    const target = store.getTarget(targetId);
    try {
      await ctx.preparer.remove({
        executor: ctx.executorFor(target),
        workRoot: target.workRoot,
        paths: workspaces.map((workspace) => workspace.path),
      });
    } catch (error) {
      // Unreachable, or a directory it could not delete: tried again at the next sweep.
      ctx.log('warn', `could not remove ${workspaces.length} workspaces on ${target.name}`, {
        error: String(error),
      });
      continue;
    }
    for (const workspace of workspaces) store.updateWorkspace(workspace.id, { status: 'removed' });
    removed += workspaces.length;
  }
  return { kept: live.length - removed - forgotten, removed };
}
