import { access, constants as fsConstants } from 'node:fs/promises';
import { constants } from 'node:os';
import { delimiter, join } from 'node:path';
import { OrchaError } from '@orcha/model';
import { spawn as spawnPty } from 'node-pty';
import { chunkQueue } from './async-queue.js';
import type { ExitStatus, ProcessHandle } from './executor.js';
import type { LocalSpawnSettings } from './local-process.js';
import { terminateGroup } from './process-group.js';

/**
 * Spawns a process on a pseudo-terminal. node-pty makes the child a session (and group) leader, so the
 * group kill works as for piped processes. Output of the terminal (stdout and stderr merged) arrives on
 * `stdout`; the reader's pace pauses the terminal so unread output never piles up.
 */
export async function spawnPtyProcess(
  command: string,
  args: readonly string[],
  settings: LocalSpawnSettings,
  size: { cols: number; rows: number },
): Promise<ProcessHandle> {
  // node-pty reports a missing binary only as a silent exit of the forked child: look it up first.
  const file = await resolveExecutable(command, settings.env.PATH ?? '');
  const terminal = spawnPty(file, [...args], {
    name: settings.env.TERM ?? 'xterm-256color',
    cols: size.cols,
    rows: size.rows,
    cwd: settings.cwd ?? process.cwd(),
    env: settings.env,
    encoding: null,
  });
  const pid = terminal.pid;
  const output = chunkQueue(terminal);
  terminal.onData((data: string | Uint8Array) => {
    output.push(typeof data === 'string' ? Buffer.from(data) : data);
  });
  let exited = false;
  const done = new Promise<ExitStatus>((resolve) => {
    terminal.onExit(({ exitCode, signal }) => {
      exited = true;
      output.end();
      resolve(signal ? { code: null, signal: signalName(signal) } : { code: exitCode, signal: null });
    });
  });

  let killing: Promise<ExitStatus> | undefined;
  return {
    pid,
    stdout: output,
    stderr: emptyStream,
    async write(data) {
      if (exited) throw new OrchaError('unavailable', `${command} has exited`);
      terminal.write(typeof data === 'string' ? data : Buffer.from(data));
    },
    /** A terminal has no separate end of input: send EOF (Ctrl-D), which a line-reading program takes as one. */
    async closeStdin() {
      if (!exited) terminal.write('\x04');
    },
    wait: () => done,
    kill() {
      killing ??= terminateGroup(pid, settings.killGraceMs, () => exited).then(() => done);
      return killing;
    },
  };
}

const emptyStream: AsyncIterable<Uint8Array> = {
  async *[Symbol.asyncIterator]() {},
};

async function resolveExecutable(command: string, path: string): Promise<string> {
  const candidates = command.includes('/')
    ? [command]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, command));
  for (const candidate of candidates) {
    const ok = await access(candidate, fsConstants.X_OK).then(
      () => true,
      () => false,
    );
    if (ok) return candidate;
  }
  throw new OrchaError('not_found', `command not found: ${command}`, { command });
}

function signalName(signal: number): string {
  const entry = Object.entries(constants.signals).find(([, number]) => number === signal);
  return entry?.[0] ?? `SIG${signal}`;
}
