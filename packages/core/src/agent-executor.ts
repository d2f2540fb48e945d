import { posix } from 'node:path';
import type { Executor } from '@orcha/exec';
import type { Target } from '@orcha/model';
import type { Context } from './context.js';

/** Where a session's agent processes on an SSH target spool their output: `<workRoot>/agents/<sessionId>`. */
export function agentSpoolDir(target: Target, sessionId: string): string {
  return posix.join(target.workRoot, 'agents', sessionId);
}

/**
 * The executor a session's agent is given. On an SSH target the processes it spawns run detached from the
 * connection (`SpawnOptions.detach`), spooled below the session's spool directory: a dropped connection
 * does not end them, and their output is read on from where it stopped once the machine answers (within
 * `reconnectWaitMs`; after that orcha gives the run up, and the group is killed when the machine answers).
 * Elsewhere it is the target's own.
 */
export function agentExecutor(
  executor: Executor,
  target: Target,
  sessionId: string,
  reconnectWaitMs: number,
): Executor {
  if (target.kind !== 'ssh') return executor;
  const detach = { dir: agentSpoolDir(target, sessionId), reconnectWaitMs };
  return {
    ...executor,
    spawn: (command, args, options = {}) =>
      executor.spawn(command, args, options.pty ? options : { ...options, detach: options.detach ?? detach }),
  };
}

/**
 * Ends what is left of a session's earlier agent runs on its SSH target (a run that outlived the orcha that
 * started it, or one orcha gave up on while the machine did not answer) before another run starts there:
 * two processes never work on one conversation.
 */
export async function endLeftoverRuns(executor: Executor, target: Target, sessionId: string): Promise<void> {
  if (target.kind === 'ssh') await executor.sweepDetached?.(agentSpoolDir(target, sessionId));
}

/**
 * On start-up, every detached agent process on the SSH targets belongs to an orcha that is gone: each is
 * ended (its session then resumes on its conversation, or runs again). A target that does not answer now
 * is swept per session, when one starts there again. Resolves with how many were still running.
 */
export async function endOrphanedRuns(ctx: Context): Promise<number> {
  const swept = ctx.store
    .listTargets()
    .filter((target) => target.kind === 'ssh' && target.status !== 'disabled')
    .map(async (target) => {
      try {
        return (await ctx.executorFor(target).sweepDetached?.(posix.join(target.workRoot, 'agents'))) ?? 0;
      } catch (error) {
        ctx.log('warn', `could not end the agent processes left on ${target.name}`, { error: String(error) });
        return 0;
      }
    });
  return (await Promise.all(swept)).reduce((sum, count) => sum + count, 0);
}
