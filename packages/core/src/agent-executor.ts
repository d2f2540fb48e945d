import { posix } from 'node:path';
import type { Executor } from '@orcha/exec';
import type { Target } from '@orcha/model';
import type { Context } from './context.js';

/** Where a session's agent processes on an SSH target spool their output: `<workRoot>/agents/<sessionId>`. */
export function agentSpoolDir(target: Target, sessionId: string): string {
  return posix.join(spoolRoot(target), sessionId);
}

/** Below it, every session's spool directory on an SSH target. */
const spoolRoot = (target: Target) => posix.join(target.workRoot, 'agents');

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
 * Per orchestrator, since it started: the SSH targets whose detached agent runs it has not yet ended, each
 * with the sweep under way (null while none is). Every one known at start-up is in it; a target leaves it
 * once swept. Before that, nothing of this orcha runs there (`endLeftoverRuns` waits on the sweep), so a
 * sweep of everything below the target's spool root only ever ends runs of an orcha that is gone.
 */
const owedSweeps = new WeakMap<Context, Map<string, Promise<number> | null>>();

/**
 * Ends the detached agent runs that earlier orchas left on `target`, once per orchestrator start: the
 * first call sweeps (later ones join it, or find nothing owed). Resolves with how many this call's sweep
 * found running (0 when nothing was owed); rejects when the target cannot be reached, and stays owed.
 */
export function endOrphanedRunsOn(ctx: Context, target: Target): Promise<number> {
  const owed = owedSweeps.get(ctx);
  if (!owed?.has(target.id)) return Promise.resolve(0);
  const underWay = owed.get(target.id);
  if (underWay) return underWay;
  const sweep = (async () => (await ctx.executorFor(target).sweepDetached?.(spoolRoot(target))) ?? 0)();
  owed.set(target.id, sweep);
  sweep.then(
    () => owed.delete(target.id),
    () => {
      if (owed.get(target.id) === sweep) owed.set(target.id, null);
    },
  );
  return sweep;
}

/**
 * Ends what is left of a session's earlier agent runs on its SSH target (a run that outlived the orcha that
 * started it, or one orcha gave up on while the machine did not answer) before another run starts there:
 * two processes never work on one conversation. The first run of this orcha on a target also waits for the
 * sweep of what earlier orchas left there (`endOrphanedRunsOn`).
 */
export async function endLeftoverRuns(
  ctx: Context,
  executor: Executor,
  target: Target,
  sessionId: string,
): Promise<void> {
  if (target.kind !== 'ssh') return;
  await endOrphanedRunsOn(ctx, target);
  await executor.sweepDetached?.(agentSpoolDir(target, sessionId));
}

/**
 * On start-up, every detached agent process on the SSH targets belongs to an orcha that is gone: each is
 * ended (its session then resumes on its conversation, or runs again). A target that does not answer now
 * (or is disabled) stays owed its sweep: it is swept when it answers a probe again, or before this orcha's
 * first run there — so a run an earlier orcha gave up on while the machine was away is killed even though
 * that orcha, and what it meant to kill, is gone. Resolves with how many were still running.
 */
export async function endOrphanedRuns(ctx: Context): Promise<number> {
  const targets = ctx.store.listTargets().filter((target) => target.kind === 'ssh');
  owedSweeps.set(ctx, new Map(targets.map((target) => [target.id, null])));
  const swept = targets
    .filter((target) => target.status !== 'disabled')
    .map(async (target) => {
      try {
        return await endOrphanedRunsOn(ctx, target);
      } catch (error) {
        ctx.log('warn', `could not end the agent processes left on ${target.name} yet`, {
          error: String(error),
        });
        return 0;
      }
    });
  return (await Promise.all(swept)).reduce((sum, count) => sum + count, 0);
}
