import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalExecutor } from '@orcha/exec';
import { createIdGenerator } from '@orcha/model';
import { commitFile, type GitHttpServer, git, seedRepo, startGitHttpServer } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitPreparer, type GitPrepareRequest } from './git-preparer.js';

let server: GitHttpServer;
let dir: string;
let url: string;
let upstream: string;
const ids = createIdGenerator(Date.now, () => Math.floor(Math.random() * 32));
const executor = createLocalExecutor();

/** Commits `file` upstream and pushes it to the served repository. */
async function commit(message: string, file = 'file.txt'): Promise<string> {
  const sha = await commitFile(upstream, file, `${message}\n`, message);
  await git(['push', '--quiet', 'origin', 'HEAD'], { cwd: upstream });
  return sha;
}

/** An isolated checkout of the served repository's main for a new session. */
const prepareIsolated = (
  preparer: ReturnType<typeof createGitPreparer>,
  workRoot: string,
  request: Partial<GitPrepareRequest> = {},
) =>
  preparer.prepare({
    executor,
    workRoot,
    sessionId: ids('session'),
    kind: 'isolated',
    repo: url,
    baseBranch: 'main',
    ...request,
  });

beforeAll(async () => {
  server = await startGitHttpServer();
  dir = await mkdtemp(join(tmpdir(), 'orcha-prep-'));
  url = await server.createRepo('acme/app');
  upstream = join(dir, 'upstream');
  await git(['clone', '--quiet', url, upstream]);
  await git(['checkout', '--quiet', '-b', 'main'], { cwd: upstream });
  await commit('first');
});

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('git preparer', () => {
  it('leaves no half-made workspace when the checkout runs out of room', async () => {
    // The disk "fills up" while files are written: git's checkout may write at most 256 KiB per file
    // (a file-size limit, so the write fails part-way as it would on a full disk, without a mount).
    const shims = join(dir, 'shims');
    await writeFile(
      join(await mkdir(shims, { recursive: true }).then(() => shims), 'git'),
      `#!/bin/sh\nif [ "$1" = checkout ]; then ulimit -f 512; fi\nexec /usr/bin/git "$@"\n`,
      { mode: 0o755 },
    );
    await writeFile(join(upstream, 'big.bin'), Buffer.alloc(2 * 2 ** 20, 7));
    await git(['add', 'big.bin'], { cwd: upstream });
    await git(['commit', '--quiet', '-m', 'a big file'], { cwd: upstream });
    await git(['push', '--quiet', 'origin', 'HEAD'], { cwd: upstream });
    const preparer = createGitPreparer({ gitEnv: () => ({ PATH: `${shims}:${process.env.PATH}` }) });
    const workRoot = join(dir, 'full');
    const sessionId = ids('session');
    await expect(prepareIsolated(preparer, workRoot, { sessionId })).rejects.toThrow(/git checkout failed/);
    await expect(stat(join(workRoot, 'sessions', sessionId))).rejects.toThrow(/ENOENT/);
    // The same checkout with room succeeds.
    await expect(prepareIsolated(createGitPreparer(), workRoot, { sessionId })).resolves.toMatchObject({
      path: join(workRoot, 'sessions', sessionId),
    });
  });

  it('branches an isolated checkout off the freshly fetched base, even when the mirror is older', async () => {
    const preparer = createGitPreparer();
    const workRoot = join(dir, 'work');
    const first = await prepareIsolated(preparer, workRoot, { title: 'Fix login' });
    expect(first.branch).toMatch(/^orcha\/[0-9a-z]{8}-fix-login$/);
    // The mirror exists now; upstream moves on.
    const latest = await commit('second');
    const second = await prepareIsolated(preparer, workRoot);
    expect(second.headSha).toBe(latest);
    expect((await git(['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: second.path })).trim()).toBe(
      second.branch,
    );
    expect(second.path.startsWith(join(workRoot, 'sessions'))).toBe(true);
    // Objects are borrowed from the mirror rather than copied.
    expect((await git(['config', '--get', 'remote.origin.url'], { cwd: second.path })).trim()).toBe(url);
    const alternates = await executor.run('cat', [join(second.path, '.git/objects/info/alternates')]);
    expect(alternates.stdout).toContain(join(workRoot, 'mirrors'));
  });

  it('checks out a pull request branch at its fresh head', async () => {
    await git(['checkout', '--quiet', '-b', 'orcha/feature'], { cwd: upstream });
    const head = await commit('feature work', 'feature.txt');
    await git(['checkout', '--quiet', 'main'], { cwd: upstream });
    const preparer = createGitPreparer();
    const workspace = await preparer.prepare({
      executor,
      workRoot: join(dir, 'work'),
      sessionId: ids('session'),
      kind: 'pr_branch',
      repo: url,
      baseBranch: 'main',
      branch: 'orcha/feature',
    });
    expect(workspace.headSha).toBe(head);
    expect(workspace.branch).toBe('orcha/feature');
  });

  it('refuses hostile repositories, branches and ids before running anything', async () => {
    const preparer = createGitPreparer();
    const base = {
      executor,
      workRoot: join(dir, 'work'),
      sessionId: ids('session'),
      kind: 'isolated' as const,
      baseBranch: 'main',
    };
    await expect(preparer.prepare({ ...base, repo: 'https://x/$(touch pwned)' })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(
      preparer.prepare({ ...base, repo: url, baseBranch: '--upload-pack=evil' }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(preparer.prepare({ ...base, repo: url, sessionId: '../../etc' })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(preparer.prepare({ ...base, repo: url, workRoot: 'relative/root' })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });
});

describe('git preparer mirror cache', () => {
  it('refreshes the mirror only when it is older than the maximum age, and recreates a lost one', async () => {
    let now = 1_000_000;
    const preparer = createGitPreparer({ mirrorMaxAgeMs: 60_000, clock: () => now });
    const workRoot = join(dir, 'aging');
    const mirror = await preparer.ensureMirror(executor, workRoot, url);
    const mirrored = async () => (await git(['rev-parse', 'main'], { cwd: mirror })).trim();
    const latest = await commit('while the mirror is young');
    const workspace = await prepareIsolated(preparer, workRoot);
    // The checkout is fresh from the origin even though the young mirror was not refreshed.
    expect(workspace.headSha).toBe(latest);
    expect(await mirrored()).not.toBe(latest);
    now += 61_000;
    await prepareIsolated(preparer, workRoot);
    expect(await mirrored()).toBe(latest);
    await rm(mirror, { recursive: true, force: true });
    const again = await prepareIsolated(preparer, workRoot);
    expect(again.headSha).toBe(latest);
    expect(await mirrored()).toBe(latest);
  });
});

describe('git preparer with a private repository', () => {
  const token = 'ghp_preparer_secret_token';
  let privateServer: GitHttpServer;
  let privateUrl: string;

  beforeAll(async () => {
    privateServer = await startGitHttpServer({ token });
    privateUrl = await privateServer.createRepo('acme/private');
    await seedRepo(join(dir, 'private-seed'), privateServer.repoPath('acme/private'), {
      files: { 'secret.txt': 'private\n' },
      message: 'private',
    });
  });

  afterAll(async () => {
    await privateServer?.stop();
  });

  it('authenticates through the credential helper and leaves the token nowhere on disk', async () => {
    const workRoot = join(dir, 'private-work');
    const asked: string[] = [];
    const preparer = createGitPreparer({
      token: (forUrl) => {
        asked.push(forUrl);
        return forUrl.startsWith(privateServer.url) ? token : null;
      },
    });
    const workspace = await prepareIsolated(preparer, workRoot, { repo: privateUrl });
    expect(await readFile(join(workspace.path, 'secret.txt'), 'utf8')).toBe('private\n');
    expect(asked.every((forUrl) => forUrl === privateUrl)).toBe(true);
    const leaked = await executor.run('grep', ['-rl', token, workRoot]);
    expect(leaked.stdout).toBe('');
    expect(leaked.code).toBe(1);
  });

  it('fails with unavailable, and never echoes the token, when the token is refused', async () => {
    const preparer = createGitPreparer({ token: () => 'ghp_wrong_token' });
    const error = await prepareIsolated(preparer, join(dir, 'refused-work'), { repo: privateUrl }).catch(
      (caught) => caught,
    );
    expect(error).toMatchObject({ code: 'unavailable' });
    expect(String(error.message)).not.toContain('ghp_wrong_token');
  });
});
