import type { Executor, RunResult } from '@orcha/exec';
import { branchSchema, OrchaError } from '@orcha/model';

/**
 * The credential helper git runs: it answers `get` with the token from its environment. The token reaches
 * that environment on stdin (see `runGitWithToken`), never through argv, a URL or a file.
 */
const helper =
  '!f() { test "$1" = get && printf "username=x-access-token\\npassword=%s\\n" "$ORCHA_GIT_TOKEN"; }; f';

// Reads the token from stdin into the environment, then runs git with the remaining arguments.
const wrapper = 'IFS= read -r ORCHA_GIT_TOKEN; export ORCHA_GIT_TOKEN; exec git "$@"';

/** Runs an authenticated git command (push, fetch) through the Executor on the target; never throws on exit. */
export function runGitWithToken(
  executor: Executor,
  cwd: string,
  token: string,
  args: readonly string[],
): Promise<RunResult> {
  return executor.run(
    'sh',
    ['-c', wrapper, 'git', '-c', 'credential.helper=', '-c', `credential.helper=${helper}`, ...args],
    { cwd, input: `${token}\n`, env: { GIT_TERMINAL_PROMPT: '0' }, timeoutMs: 10 * 60_000 },
  );
}

// git prints no secrets here; still, never echo anything that could hold the token.
const lastLines = (text: string, token: string) =>
  text.replaceAll(token, '***').trim().split('\n').slice(-3).join(' ');

/**
 * Pushes the workspace's HEAD to `branch` on `url` and returns the pushed commit. A push the remote refuses
 * (not a fast-forward, a protected branch) is `conflict`; a remote that cannot be reached is `unavailable`.
 */
export async function pushBranch(
  executor: Executor,
  request: { cwd: string; url: string; branch: string; force: boolean; token: string },
): Promise<string> {
  if (!branchSchema.safeParse(request.branch).success)
    throw new OrchaError('invalid_argument', `not a valid branch name: ${request.branch}`);
  const head = await executor.run('git', ['rev-parse', 'HEAD'], { cwd: request.cwd });
  if (head.code !== 0)
    throw new OrchaError('conflict', `the workspace has no commit to push: ${head.stderr.trim()}`);
  const result = await runGitWithToken(executor, request.cwd, request.token, [
    'push',
    '--porcelain',
    ...(request.force ? ['--force'] : []),
    request.url,
    `HEAD:refs/heads/${request.branch}`,
  ]);
  if (result.code !== 0) {
    // --porcelain marks each refused ref with `!` and git's reason: `[rejected] (fetch first)`.
    const refused = result.stdout.split('\n').find((line) => line.startsWith('!'));
    if (refused) {
      const reason = refused.split('\t').slice(2).join(' ').trim();
      throw new OrchaError('conflict', `the push to ${request.branch} was refused: ${reason}`, {
        branch: request.branch,
      });
    }
    throw new OrchaError('unavailable', `git push failed: ${lastLines(result.stderr, request.token)}`);
  }
  return head.stdout.trim();
}
