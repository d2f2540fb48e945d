import { type ChildProcess, spawn as spawnChild } from 'node:child_process';
import { OrchaError } from '@orcha/model';
import type { ExitStatus, ProcessHandle } from './executor.js';
import { delay } from './poll.js';
import { terminateGroup } from './process-group.js';

export interface LocalSpawnSettings {
  cwd: string | undefined;
  env: Record<string, string>;
  killGraceMs: number;
}

/**
 * Spawns a process with pipes, as the leader of a new process group (`detached` makes it call setsid),
 * so killing the group reaches everything it started. Resolves once the process is running.
 */
export async function spawnLocalProcess(
  command: string,
  args: readonly string[],
  settings: LocalSpawnSettings,
): Promise<ProcessHandle> {
  const child = spawnChild(command, [...args], {
    cwd: settings.cwd,
    env: settings.env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => reject(translateSpawnError(error, command)));
  });
  const pid = child.pid;
  if (pid === undefined) throw new OrchaError('internal', `${command} started without a pid`);
  const { stdin, stdout, stderr } = child as ChildProcess & {
    stdin: NonNullable<ChildProcess['stdin']>;
    stdout: NonNullable<ChildProcess['stdout']>;
    stderr: NonNullable<ChildProcess['stderr']>;
  };
  // A process that exits without reading its input turns our writes into EPIPE; that is not a crash.
  stdin.on('error', () => {});

  let closed = false;
  const done = new Promise<ExitStatus>((resolve) => {
    child.once('close', (code, signal) => {
      closed = true;
      resolve({ code, signal });
    });
  });

  // A reader that stops early (found its line, broke out) must not destroy the pipe for the next one.
  const iterate = (stream: typeof stdout): AsyncIterable<Uint8Array> => ({
    [Symbol.asyncIterator]: () => stream.iterator({ destroyOnReturn: false }),
  });

  let killing: Promise<ExitStatus> | undefined;
  return {
    pid,
    stdout: iterate(stdout),
    stderr: iterate(stderr),
    write(data) {
      return new Promise((resolve, reject) => {
        if (stdin.writableEnded || stdin.destroyed) {
          reject(new OrchaError('unavailable', `stdin of ${command} is closed`));
          return;
        }
        stdin.write(data, (error) =>
          error
            ? reject(new OrchaError('unavailable', `writing to ${command}: ${error.message}`))
            : resolve(),
        );
      });
    },
    closeStdin() {
      return new Promise((resolve) => {
        if (stdin.writableEnded || stdin.destroyed) resolve();
        else stdin.end(resolve);
      });
    },
    wait: () => done,
    kill() {
      killing ??= (async () => {
        await terminateGroup(pid, settings.killGraceMs, () => closed);
        // A grandchild that left the group could still hold our pipes open; stop waiting for it.
        const gone = await Promise.race([done.then(() => true), delay(1000).then(() => false)]);
        if (!gone) {
          stdout.destroy();
          stderr.destroy();
        }
        return done;
      })();
      return killing;
    },
  };
}

export function translateSpawnError(error: Error, command: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new OrchaError('not_found', `command not found: ${command}`, { command });
  if (code === 'EACCES')
    return new OrchaError('forbidden', `permission denied running ${command}`, { command });
  return new OrchaError('internal', `could not start ${command}: ${error.message}`, { command });
}
