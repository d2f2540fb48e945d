import { stat } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { OrchaError } from '@orcha/model';
import type { Executor, ExecutorDescription, SpawnOptions } from './executor.js';
import { createLocalFiles } from './local-files.js';
import { type LocalSpawnSettings, spawnLocalProcess } from './local-process.js';
import { spawnPtyProcess } from './pty-process.js';
import { runProcess } from './run-process.js';

export interface LocalExecutorOptions {
  /** The environment every process starts from (default: this process's). Per-call `env` is added to it. */
  env?: Record<string, string | undefined> | undefined;
  /** Default grace period between TERM and KILL (default 2000 ms). */
  killGraceMs?: number | undefined;
}

/** The Executor for this machine: every process in its own process group, arguments never through a shell. */
export function createLocalExecutor(options: LocalExecutorOptions = {}): Executor {
  const baseEnv = definedEntries(options.env ?? process.env);
  const defaultGrace = options.killGraceMs ?? 2000;
  const description: ExecutorDescription = { kind: 'local', host: hostname(), user: currentUser() };

  const settingsFor = async (command: string, spawnOptions: SpawnOptions): Promise<LocalSpawnSettings> => {
    if (!command) throw new OrchaError('invalid_argument', 'command is empty');
    if (spawnOptions.cwd !== undefined) await assertDirectory(spawnOptions.cwd);
    return {
      cwd: spawnOptions.cwd,
      env: spawnOptions.env ? { ...baseEnv, ...spawnOptions.env } : baseEnv,
      killGraceMs: spawnOptions.killGraceMs ?? defaultGrace,
    };
  };

  const executor: Executor = {
    describe: () => ({ ...description }),
    async spawn(command, args, spawnOptions = {}) {
      const settings = await settingsFor(command, spawnOptions);
      return spawnOptions.pty
        ? spawnPtyProcess(command, args, settings, spawnOptions.pty)
        : spawnLocalProcess(command, args, settings);
    },
    run: (command, args, runOptions) => runProcess(executor.spawn, command, args, runOptions),
    files: (root) => createLocalFiles(root),
  };
  return executor;
}

async function assertDirectory(cwd: string): Promise<void> {
  const info = await stat(cwd).catch(() => undefined);
  if (!info) throw new OrchaError('not_found', `working directory does not exist: ${cwd}`, { cwd });
  if (!info.isDirectory())
    throw new OrchaError('not_found', `working directory is not a directory: ${cwd}`, { cwd });
}

function definedEntries(env: Record<string, string | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) result[key] = value;
  return result;
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    // A uid without a passwd entry (some containers).
    return String(process.getuid?.() ?? 'unknown');
  }
}
