import { createHash } from 'node:crypto';
import type { Executor } from '@orcha/exec';
import { OrchaError } from '@orcha/model';

export interface WorkspaceHead {
  sha: string;
  /** False when the workspace is a plain directory and `sha` was derived from its files. */
  git: boolean;
}

interface Where {
  executor: Executor;
  cwd: string;
  repo: string;
  branch: string;
}

/**
 * The commit a push from `cwd` would send. In a git repository that is HEAD, read through the Executor;
 * a repository without any commit has nothing to push (`conflict`). A plain directory (the offline demo's
 * scratch workspaces) gets a synthetic sha: SHA-1 of the repository, the branch and a checksum listing of
 * every file (`find . -type f -exec cksum`), so the same content on the same branch always yields the same
 * head and any change to a file yields a new one.
 */
export async function readWorkspaceHead(where: Where): Promise<WorkspaceHead> {
  const { executor, cwd } = where;
  const inside = await executor.run('git', ['rev-parse', '--git-dir'], { cwd });
  if (inside.code === 0) {
    const head = await executor.run('git', ['rev-parse', 'HEAD'], { cwd });
    if (head.code !== 0)
      throw new OrchaError('conflict', `the workspace has no commit to push: ${head.stderr.trim()}`, { cwd });
    return { sha: head.stdout.trim(), git: true };
  }
  const listing = await executor.run('find', ['.', '-type', 'f', '-exec', 'cksum', '{}', '+'], {
    cwd,
    timeoutMs: 60_000,
  });
  if (listing.code !== 0)
    throw new OrchaError('unavailable', `could not read the workspace ${cwd}: ${listing.stderr.trim()}`);
  const lines = listing.stdout.split('\n').filter(Boolean).sort();
  const sha = createHash('sha1')
    .update(`${where.repo}\0${where.branch}\0${lines.join('\n')}`)
    .digest('hex');
  return { sha, git: false };
}

/** Whether `previous` is an ancestor of the workspace's HEAD (a push would fast-forward the branch). */
export async function isFastForward(where: Where, previous: string): Promise<boolean> {
  const result = await where.executor.run('git', ['merge-base', '--is-ancestor', previous, 'HEAD'], {
    cwd: where.cwd,
  });
  // 1: not an ancestor; 128: the workspace does not even have that commit (git's "fetch first").
  return result.code === 0;
}
