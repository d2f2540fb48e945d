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

/** What `commitWorkspaceChanges` found and did. */
export interface CommitOutcome {
  /** `not_git`: a plain directory (nothing done); `clean`: nothing to commit; `committed`: orcha committed. */
  state: 'not_git' | 'clean' | 'committed';
  /** The commit orcha made, with the files it changed; null unless `committed`. */
  commit: { sha: string; files: string[] } | null;
  /** HEAD after the step; null for a plain directory or a repository without a commit. */
  head: string | null;
  /** Commits HEAD has that `origin/<baseBranch>` lacks, when a base was given and HEAD exists; else null. */
  ahead: number | null;
}

// One round trip, whatever the target: the script is constant, the base branch arrives as $1, the message on
// stdin and the identity in the environment. Only the workspace's own `.git` counts: a scratch directory that
// merely sits inside someone's repository (a data dir in a project) must never have that repository committed.
// The repository's hooks and signing are off: nothing the checkout carries runs on orcha's behalf.
const script = [
  'set -e',
  'base="$1"',
  'report() {',
  '  echo "$1"',
  '  head=$(git rev-parse --verify --quiet HEAD || true); echo "$head"',
  '  if [ -n "$base" ] && [ -n "$head" ]; then git rev-list --count "refs/remotes/origin/$base..HEAD"; else echo; fi',
  '}',
  'test -e .git || { echo not_git; exit 0; }',
  'git add --all',
  'files=$(git -c core.quotePath=false diff --cached --name-only --no-renames)',
  'if [ -z "$files" ]; then report clean; exit 0; fi',
  'git -c core.hooksPath=/dev/null -c commit.gpgsign=false commit --quiet --no-verify -F -',
  'report committed',
  'printf "%s\\n" "$files"',
].join('\n');

/**
 * Commits whatever the agent left uncommitted in a git workspace, on its current branch: every change git
 * does not ignore (`git add --all` keeps `.gitignore`), by `identity` as author and committer, with
 * `message`. A clean workspace — an agent that committed, or one that changed nothing — is left alone; a
 * plain directory is `not_git`. With `baseBranch`, also counts the commits over `origin/<baseBranch>`.
 */
export async function commitWorkspaceChanges(request: {
  executor: Executor;
  /** The workspace directory on the executor's machine. */
  cwd: string;
  identity: GitIdentity;
  message: string;
  baseBranch?: string | undefined;
}): Promise<CommitOutcome> {
  const identity = gitIdentitySchema.safeParse(request.identity);
  if (!identity.success)
    throw new OrchaError('invalid_argument', `not a git identity: ${describeIssues(identity.error.issues)}`);
  if (request.baseBranch !== undefined && !branchSchema.safeParse(request.baseBranch).success)
    throw new OrchaError('invalid_argument', `not a valid branch name: ${request.baseBranch}`);
  const { name, email } = identity.data;
  const result = await request.executor.run('sh', ['-c', script, 'orcha-commit', request.baseBranch ?? ''], {
    cwd: request.cwd,
    input: request.message,
    env: {
      GIT_AUTHOR_NAME: name,
      GIT_AUTHOR_EMAIL: email,
      GIT_COMMITTER_NAME: name,
      GIT_COMMITTER_EMAIL: email,
    },
    timeoutMs: 5 * 60_000,
  });
  if (result.code !== 0)
    throw new OrchaError(
      'unavailable',
      `could not commit in ${request.cwd}: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`,
    );
  const [state = '', head = '', ahead = '', ...files] = result.stdout.split('\n');
  if (state !== 'not_git' && state !== 'clean' && state !== 'committed')
    throw new OrchaError('internal', `unexpected answer from the commit step: ${state.slice(0, 200)}`);
  return {
    state,
    commit: state === 'committed' ? { sha: head, files: files.filter(Boolean) } : null,
    head: head || null,
    ahead: ahead.trim() === '' ? null : Number.parseInt(ahead, 10),
  };
}
