import type { Executor } from '@orcha/exec';
import { branchSchema, OrchaError } from '@orcha/model';

/**
 * The credential helper git runs: it answers `get` with the token from its environment. The token reaches
 * that environment on stdin (see `pushWithToken`), never through argv, a URL or a file.
 */
const helper =
  '!f() { test "$1" = get && printf "username=x-access-token\\npassword=%s\\n" "$ORCHA_GIT_TOKEN"; }; f';

// Reads the token from stdin into the environment, then runs git with the remaining arguments.
const wrapper = 'IFS= read -r ORCHA_GIT_TOKEN; export ORCHA_GIT_TOKEN; exec git "$@"';

/** Runs an authenticated git command (push, fetch) through the Executor on the target. */
export async function gitWithToken(
  executor: Executor,
  cwd: string,
  token: string,
  args: readonly string[],
): Promise<{ stdout: string; stderr: string }> {
  const result = await executor.run(
    'sh',
    ['-c', wrapper, 'git', '-c', 'credential.helper=', '-c', `credential.helper=${helper}`, ...args],
    { cwd, input: `${token}\n`, env: { GIT_TERMINAL_PROMPT: '0' }, timeoutMs: 10 * 60_000 },
  );
  if (result.code !== 0) {
    // git prints no secrets here; still, never echo anything that could hold the token.
    const message = result.stderr.replaceAll(token, '***').trim().split('\n').slice(-3).join(' ');
    throw new OrchaError('unavailable', `git ${args[0]} failed: ${message}`);
  }
  return { stdout: result.stdout, stderr: result.stderr };
}

/** Pushes the workspace's HEAD to `branch` on `url` and returns the pushed commit. */
export async function pushBranch(
  executor: Executor,
  request: { cwd: string; url: string; branch: string; force: boolean; token: string },
): Promise<string> {
  branchSchema.parse(request.branch);
  const head = await executor.run('git', ['rev-parse', 'HEAD'], { cwd: request.cwd });
  if (head.code !== 0)
    throw new OrchaError('conflict', `the workspace has no commit to push: ${head.stderr.trim()}`);
  await gitWithToken(executor, request.cwd, request.token, [
    'push',
    '--porcelain',
    ...(request.force ? ['--force'] : []),
    request.url,
    `HEAD:refs/heads/${request.branch}`,
  ]);
  return head.stdout.trim();
}
