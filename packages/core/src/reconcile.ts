import { activeSessionStatuses } from '@orcha/model';
import type { Context } from './context.js';
import { report } from './session-status.js';

/**
 * On start-up, makes every session's status true again: nothing stays running without a process. Runs that
 * outlived us (tmux sessions) are re-attached; headless agents whose process died are resumed on the same
 * conversation when the provider gave us an id for it; the rest fail with the reason. Idle sessions
 * (`waiting_input`) hold no process by design and are left waiting.
 */
export async function reconcile(
  ctx: Context,
  follow: (
    sessionId: string,
    run: import('@orcha/agent').AgentRun,
    interactivity: 'interactive' | 'noninteractive',
  ) => void,
): Promise<{ reattached: number; resumed: number; failed: number }> {
  const counts = { reattached: 0, resumed: 0, failed: 0 };
  for (const session of ctx.store.listSessions({ statuses: [...activeSessionStatuses] })) {
    const provider = ctx.providers.get(session.agent);
    const target = session.targetId ? ctx.store.getTarget(session.targetId) : null;
    if (provider?.reattach && target && session.attachName) {
      const workspace = session.workspaceId ? ctx.store.getWorkspace(session.workspaceId) : null;
      const run = await provider
        .reattach({
          sessionId: session.id,
          attachName: session.attachName,
          prompt: session.prompt,
          cwd: workspace?.path ?? target.workRoot,
          executor: ctx.executorFor(target),
        })
        .catch(() => null);
      if (run) {
        follow(session.id, run, provider.interactivity);
        counts.reattached++;
        continue;
      }
    }
    const resumable = Boolean(provider && session.providerSessionId);
    if (!report(ctx, session.id, { type: 'restart-found-no-process', resumable })) continue;
    if (resumable) counts.resumed++;
    else counts.failed++;
  }
  ctx.wake();
  return counts;
}
