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
  /**
   * The token for a clone URL that needs one (a private GitHub repository), or null. It reaches git on
   * stdin through a credential helper — never argv, a URL, a file or the repository's config.
   */
  token?: ((url: string) => string | null | Promise<string | null>) | undefined;
  /**
   * How old a mirror may get before a checkout refreshes it first (default 5 minutes). Checkouts fetch
   * from the origin either way, so this only decides how many objects come from the cache.
   */
  mirrorMaxAgeMs?: number | undefined;
  clock?: (() => number) | undefined;
}

/** Answers git's `get` with the token from the environment; set only for the one command. */
const credentialHelper =
  '!f() { test "$1" = get && printf "username=x-access-token\\npassword=%s\\n" "$ORCHA_GIT_TOKEN"; }; f';
/** Reads the token from stdin into the environment, then runs git with the remaining arguments. */
const tokenWrapper = 'IFS= read -r ORCHA_GIT_TOKEN; export ORCHA_GIT_TOKEN; exec git "$@"';

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
  const clock = settings.clock ?? Date.now;
  const maxAge = settings.mirrorMaxAgeMs ?? 5 * 60_000;
  /** When each mirror (by host and path) was last created or refreshed by this process. */
  const refreshed = new Map<string, number>();
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
  /** Runs git; with `url`, a token for that URL (if any) is offered through the credential helper. */
  const git = async (executor: Executor, args: string[], options: { cwd?: string; url?: string } = {}) => {
    const token = options.url ? await settings.token?.(options.url) : null;
    const env = { GIT_TERMINAL_PROMPT: '0', ...settings.gitEnv?.() };
    const timeoutMs = 15 * 60_000;
    const result = token
      ? await executor.run(
          'sh',
          [
            '-c',
            tokenWrapper,
            'git',
            '-c',
            'credential.helper=',
            '-c',
            `credential.helper=${credentialHelper}`,
            ...args,
          ],
          { cwd: options.cwd, env, timeoutMs, input: `${token}\n` },
        )
      : await executor.run('git', args, { cwd: options.cwd, env, timeoutMs });
    if (result.code !== 0) {
      const stderr = token ? result.stderr.replaceAll(token, '***') : result.stderr;
      throw new OrchaError(
        'unavailable',
        `git ${args[0]} failed: ${stderr.trim().split('\n').slice(-3).join(' ')}`,
      );
    }
    return result.stdout.trim();
  };
  /**
   * Creates the mirror of `url` on the executor's machine, or refreshes it when older than the maximum age
   * (`force`: always); returns its path.
   */
  const ensureMirror = (
    executor: Executor,
    workRoot: string,
    url: string,
    options: { force?: boolean } = {},
  ) => {
    const path = posix.join(workRoot, 'mirrors', mirrorName(url));
    const key = `${executor.describe().user}@${executor.describe().host}:${path}`;
    return withLock(key, async () => {
      const exists = (await executor.run('test', ['-d', posix.join(path, 'objects')])).code === 0;
      const fresh = (refreshed.get(key) ?? Number.NEGATIVE_INFINITY) > clock() - maxAge;
      if (exists && fresh && !options.force) return path;
      if (exists) await git(executor, ['remote', 'update', '--prune'], { cwd: path, url });
      else {
        await executor.run('mkdir', ['-p', posix.dirname(path)]);
        await git(executor, ['clone', '--mirror', '--quiet', url, path], { url });
        // Checkouts borrow these objects: the mirror must never prune them on its own.
        await git(executor, ['config', 'gc.auto', '0'], { cwd: path });
      }
      refreshed.set(key, clock());
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
      // One round trip (each is a channel on an SSH target); the paths arrive as arguments, never as text.
      await executor.run('sh', [
        '-c',
        'rm -rf -- "$1"; mkdir -p -- "$2"',
        'orcha-prepare',
        path,
        posix.dirname(path),
      ]);
      // A checkout that fails half-way (a full disk, a missing branch) leaves nothing behind.
      try {
        // Objects come from the mirror; refs come fresh from the real origin.
        await git(executor, ['clone', '--quiet', '--no-checkout', '--reference', mirror, url, path], { url });
        const branch =
          request.branch ??
          `orcha/${sessionId.slice(-8).toLowerCase()}${request.title ? `-${slug(request.title)}` : ''}`;
        if (!branchSchema.safeParse(branch).success)
          throw new OrchaError('invalid_argument', `not a valid branch name: ${branch}`);
        if (kind === 'isolated') {
          await git(executor, ['checkout', '--quiet', '-b', branch, `origin/${baseBranch}`], { cwd: path });
        } else {
          await git(executor, ['checkout', '--quiet', '-B', branch, `origin/${branch}`], { cwd: path });
        }
        const headSha = await git(executor, ['rev-parse', 'HEAD'], { cwd: path });
        return { path, branch, baseBranch, headSha };
      } catch (error) {
        await executor.run('rm', ['-rf', '--', path]).catch(() => {});
        throw error;
      }
    },
  };
}
