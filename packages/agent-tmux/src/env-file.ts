import { type Executor, quoteShellArgs } from '@orcha/exec';
import { OrchaError } from '@orcha/model';

export interface EnvLaunch {
  /** The command that reads the environment from the file, removes the file, then runs the program. */
  command: string[];
  /** Removes the file if the program never got to it. */
  remove(): Promise<void>;
}

/**
 * Hands a program its environment through a private file (mode 600) on its machine instead of tmux's
 * `-e` arguments: API keys and the session's MCP token never appear in a process list. The pane's shell
 * reads the file, deletes it, and execs the program.
 */
export async function launchWithEnvFile(
  executor: Executor,
  command: readonly string[],
  env: Record<string, string>,
): Promise<EnvLaunch> {
  const entries = Object.entries(env);
  for (const [key] of entries) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new OrchaError('invalid_argument', `not an environment variable name: ${JSON.stringify(key)}`);
    }
  }
  const made = await executor.run('mktemp', ['-d', '/tmp/orcha-env.XXXXXX']);
  const dir = made.stdout.trim();
  if (made.code !== 0 || !dir) {
    throw new OrchaError(
      'unavailable',
      `could not make a temp dir for the environment: ${made.stderr.trim()}`,
    );
  }
  const text = entries.map(([key, value]) => `export ${key}=${quoteShellArgs([value])}\n`).join('');
  await executor.files(dir).write('env', text, { mode: 0o600 });
  const file = `${dir}/env`;
  return {
    command: ['sh', '-c', '. "$1" && rm -rf "$(dirname "$1")" && shift && exec "$@"', 'sh', file, ...command],
    async remove() {
      await executor.run('rm', ['-rf', dir]);
    },
  };
}
