import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { Executor } from '@orcha/exec';
import { branchSchema, describeIssues, idSchema, OrchaError, repoSchema } from '@orcha/model';
import { z } from 'zod';

export interface GitPreparerSettings {
  /** Extra environment for git (a credential helper, GIT_ASKPASS…); never put secrets in argv. */
  gitEnv?: (() => Record<string, string>) | undefined;
  /** Resolves `owner/name` slugs to clone URLs (e.g. `https://github.com/${slug}.git`). */
  cloneUrl?: ((repo: string) => string) | undefined;
}

export interface GitPrepareRequest {
  executor: Executor;
  workRoot: string;
  sessionId: string;
  kind: 'isolated' | 'pr_branch';
  repo: string;
  baseBranch: string;
  /** isolated: the new branch (default `orcha/<short id>-<slug of title>`); pr_branch: the PR's branch. */
  branch?: string | undefined;
  title?: string | undefined;
}

export interface GitWorkspace {
  path: string;
  branch: string;
  baseBranch: string;
  headSha: string;
}

const requestSchema = z.object({
  workRoot: z
    .string()
    .min(1)
    .refine((path) => path.startsWith('/'), 'the work root must be an absolute path'),
  sessionId: idSchema('session'),
  kind: z.enum(['isolated', 'pr_branch']),
  repo: repoSchema,
  baseBranch: branchSchema,
  branch: branchSchema.optional(),
});

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
}

/** The per-repository mirror directory name: readable, and unique per URL. */
function mirrorName(url: string): string {
  const readable = url
    .replace(/^[a-z]+:\/\//, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .slice(-60);
  return `${readable}-${createHash('sha256').update(url).digest('hex').slice(0, 10)}.git`;
}

/**
 * Prepares git workspaces through any Executor (local or SSH), so the clone happens where the agent runs.
 * Per target and repository, a bare mirror is kept as an object cache (created once, updated under a lock).
 * Every checkout is a fresh clone from the real origin that borrows objects from the mirror, so it is fast
 * and never stale: isolated checkouts branch off the freshly fetched base; PR checkouts sit at the PR
 * branch's fresh head.
 */
export function createGitPreparer(settings: GitPreparerSettings = {}) {
  const locks = new Map<string, Promise<unknown>>();
  const withLock = async <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const previous = locks.get(key) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(work);
    locks.set(key, next);
    try {
      return await next;
    } finally {
      if (locks.get(key) === next) locks.delete(key);
    }
  };

  const git = async (executor: Executor, args: string[], cwd?: string) => {
    const result = await executor.run('git', args, {
      cwd,
      env: { GIT_TERMINAL_PROMPT: '0', ...settings.gitEnv?.() },
      timeoutMs: 15 * 60_000,
    });
    if (result.code !== 0) {
      throw new OrchaError(
        'unavailable',
        `git ${args[0]} failed: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`,
      );
    }
    return result.stdout.trim();
  };

  /** Creates or refreshes the mirror of `url` on the executor's machine; returns its path. */
  const ensureMirror = (executor: Executor, workRoot: string, url: string) => {
    const path = posix.join(workRoot, 'mirrors', mirrorName(url));
    return withLock(`${executor.describe().host}:${path}`, async () => {
      const exists = await executor.run('test', ['-d', posix.join(path, 'objects')]);
      if (exists.code === 0) await git(executor, ['remote', 'update', '--prune'], path);
      else {
        await executor.run('mkdir', ['-p', posix.dirname(path)]);
        await git(executor, ['clone', '--mirror', '--quiet', url, path]);
        // Checkouts borrow these objects: the mirror must never prune them on its own.
        await git(executor, ['config', 'gc.auto', '0'], path);
      }
      return path;
    });
  };

  return {
    ensureMirror,
    async prepare(request: GitPrepareRequest): Promise<GitWorkspace> {
      const parsed = requestSchema.safeParse(request);
      if (!parsed.success) throw new OrchaError('invalid_argument', describeIssues(parsed.error.issues));
      const { executor, workRoot, sessionId, kind, baseBranch } = request;
      const url =
        settings.cloneUrl && !/^[a-z]+:\/\/|@/.test(request.repo)
          ? settings.cloneUrl(request.repo)
          : request.repo;
      const path = posix.join(workRoot, 'sessions', sessionId);
      if (!path.startsWith(`${posix.resolve(workRoot)}/`))
        throw new OrchaError('forbidden', 'workspace path escapes the work root');
      const mirror = await ensureMirror(executor, workRoot, url);
      await executor.run('rm', ['-rf', path]);
      await executor.run('mkdir', ['-p', posix.dirname(path)]);
      // Objects come from the mirror; refs come fresh from the real origin.
      await git(executor, ['clone', '--quiet', '--no-checkout', '--reference', mirror, url, path]);
      const branch =
        request.branch ??
        `orcha/${sessionId.slice(-8).toLowerCase()}${request.title ? `-${slug(request.title)}` : ''}`;
      branchSchema.parse(branch);
      if (kind === 'isolated') {
        await git(executor, ['checkout', '--quiet', '-b', branch, `origin/${baseBranch}`], path);
      } else {
        await git(executor, ['checkout', '--quiet', '-B', branch, `origin/${branch}`], path);
      }
      const headSha = await git(executor, ['rev-parse', 'HEAD'], path);
      return { path, branch, baseBranch, headSha };
    },
  };
}
