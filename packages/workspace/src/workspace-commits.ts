import type { Executor } from '@orcha/exec';
import { branchSchema, describeIssues, OrchaError } from '@orcha/model';
import { z } from 'zod';

/** Who orcha's own commits are by; agents' HOMEs carry no git identity, so it is always explicit. */
export interface GitIdentity {
  name: string;
  email: string;
}

export const gitIdentitySchema = z.object({
  // No newlines or angle brackets: git would refuse them, and they would forge header lines.
  name: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/^[^<>\n\r]+$/, 'a name without <, > or newlines'),
  email: z
    .string()
    .trim()
    .min(3)
    .max(200)
    .regex(/^[^<>\s]+@[^<>\s]+$/, 'an email address'),
});

export const defaultGitIdentity: GitIdentity = { name: 'orcha', email: 'orcha@users.noreply.orcha.invalid' };

export type CommitOutcome =
  | { committed: false; reason: 'not_git' | 'clean' }
  | { committed: true; sha: string; files: string[] };

interface Where {
  executor: Executor;
  /** The workspace directory on the executor's machine. */
  cwd: string;
}

const git = async (where: Where, args: string[]) => {
  const result = await where.executor.run('git', args, { cwd: where.cwd, timeoutMs: 5 * 60_000 });
  if (result.code !== 0)
    throw new OrchaError(
      'unavailable',
      `git ${args[0]} failed in ${where.cwd}: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`,
    );
  return result.stdout;
};

/**
 * Whether `cwd` is the top of a git checkout. Only its own `.git` counts: a scratch directory that merely
 * sits inside someone's repository (a data dir in a project) must never have that repository committed.
 */
async function isCheckout(where: Where): Promise<boolean> {
  return (await where.executor.run('test', ['-e', '.git'], { cwd: where.cwd })).code === 0;
}

/**
 * Commits whatever the agent left uncommitted in a git workspace, on its current branch: every change git
 * does not ignore (`git add --all` keeps `.gitignore`), by `identity` as author and committer, without the
 * repository's hooks or signing (orcha runs them on the target, outside the agent's sandbox, so nothing the
 * checkout carries runs on its behalf). A clean workspace — an agent that committed, or one that changed
 * nothing — is left alone; a plain directory is `not_git`.
 */
export async function commitWorkspaceChanges(
  request: Where & { identity: GitIdentity; message: string },
): Promise<CommitOutcome> {
  const parsed = gitIdentitySchema.safeParse(request.identity);
  if (!parsed.success)
    throw new OrchaError('invalid_argument', `not a git identity: ${describeIssues(parsed.error.issues)}`);
  const identity = parsed.data;
  if (!(await isCheckout(request))) return { committed: false, reason: 'not_git' };
  const status = await git(request, ['status', '--porcelain', '--untracked-files=all']);
  if (status.trim() === '') return { committed: false, reason: 'clean' };
  await git(request, ['add', '--all']);
  // Everything changed may have been ignored files only: nothing is staged then.
  const staged = await request.executor.run('git', ['diff', '--cached', '--quiet'], { cwd: request.cwd });
  if (staged.code === 0) return { committed: false, reason: 'clean' };
  const who = {
    GIT_AUTHOR_NAME: identity.name,
    GIT_AUTHOR_EMAIL: identity.email,
    GIT_COMMITTER_NAME: identity.name,
    GIT_COMMITTER_EMAIL: identity.email,
  };
  const committed = await request.executor.run(
    'git',
    [
      '-c',
      'core.hooksPath=/dev/null',
      '-c',
      'commit.gpgsign=false',
      'commit',
      '--quiet',
      '--no-verify',
      '-F',
      '-',
    ],
    { cwd: request.cwd, env: who, input: request.message, timeoutMs: 5 * 60_000 },
  );
  if (committed.code !== 0)
    throw new OrchaError(
      'unavailable',
      `git commit failed in ${request.cwd}: ${committed.stderr.trim().split('\n').slice(-3).join(' ')}`,
    );
  const sha = (await git(request, ['rev-parse', 'HEAD'])).trim();
  const files = (await git(request, ['diff-tree', '--no-commit-id', '--name-only', '-r', '--root', 'HEAD']))
    .split('\n')
    .filter(Boolean);
  return { committed: true, sha, files };
}

/**
 * How many commits HEAD has that `origin/<baseBranch>` lacks: zero means the workspace holds no work to
 * open a pull request for. `null` for a plain directory, which has no history to compare.
 */
export async function commitsOverBase(where: Where & { baseBranch: string }): Promise<number | null> {
  const base = branchSchema.safeParse(where.baseBranch);
  if (!base.success) throw new OrchaError('invalid_argument', `not a valid branch name: ${where.baseBranch}`);
  if (!(await isCheckout(where))) return null;
  const count = await git(where, ['rev-list', '--count', `refs/remotes/origin/${base.data}..HEAD`]);
  return Number.parseInt(count.trim(), 10);
}
