import { posix } from 'node:path';
import type { Executor } from '@orcha/exec';
import type { Target } from '@orcha/model';

/** Where a session's agent processes on an SSH target spool their output: `<workRoot>/agents/<sessionId>`. */
export function agentSpoolDir(target: Target, sessionId: string): string {
  return posix.join(target.workRoot, 'agents', sessionId);
}

/**
 * The executor a session's agent is given. On an SSH target the processes it spawns run detached from the
 * connection (`SpawnOptions.detach`), spooled below the session's spool directory: a dropped connection
 * does not end them, and their output is read on from where it stopped. Elsewhere it is the target's own.
 */
export function agentExecutor(executor: Executor, target: Target, sessionId: string): Executor {
  if (target.kind !== 'ssh') return executor;
  const dir = agentSpoolDir(target, sessionId);
  return {
    ...executor,
    spawn: (command, args, options = {}) =>
      executor.spawn(
        command,
        args,
        options.pty ? options : { ...options, detach: options.detach ?? { dir } },
      ),
  };
}
