import type { Executor } from '@orcha/exec';

/**
 * Finds a GitHub token: GITHUB_TOKEN or GH_TOKEN from the environment the caller passes (apps read
 * process.env in their config module), else `gh auth token` when the GitHub CLI is installed.
 */
export async function githubToken(
  env: Record<string, string | undefined>,
  executor?: Executor,
): Promise<string | null> {
  const fromEnv = env.GITHUB_TOKEN?.trim() || env.GH_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  if (!executor) return null;
  try {
    const result = await executor.run('gh', ['auth', 'token'], { timeoutMs: 10_000 });
    const token = result.stdout.trim();
    return result.code === 0 && token ? token : null;
  } catch {
    return null;
  }
}
