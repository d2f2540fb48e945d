import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalExecutor } from '@orcha/exec';
import { createIdGenerator } from '@orcha/model';
import { type GitHttpServer, git, startGitHttpServer } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitPreparer } from './git-preparer.js';

const identity = ['-c', 'user.name=upstream', '-c', 'user.email=upstream@example.invalid'];
let server: GitHttpServer;
let dir: string;
let url: string;
let upstream: string;
const ids = createIdGenerator(Date.now, () => Math.floor(Math.random() * 32));
const executor = createLocalExecutor();

async function commit(message: string, file = 'file.txt'): Promise<string> {
  await writeFile(join(upstream, file), `${message}\n`);
  await git(['add', file], { cwd: upstream });
  await git([...identity, 'commit', '--quiet', '-m', message], { cwd: upstream });
  await git(['push', '--quiet', 'origin', 'HEAD'], { cwd: upstream });
  return (await git(['rev-parse', 'HEAD'], { cwd: upstream })).trim();
}

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
  it('branches an isolated checkout off the freshly fetched base, even when the mirror is older', async () => {
    const preparer = createGitPreparer();
    const workRoot = join(dir, 'work');
    const first = await preparer.prepare({
      executor,
      workRoot,
      sessionId: ids('session'),
      kind: 'isolated',
      repo: url,
      baseBranch: 'main',
      title: 'Fix login',
    });
    expect(first.branch).toMatch(/^orcha\/[0-9a-z]{8}-fix-login$/);
    // The mirror exists now; upstream moves on.
    const latest = await commit('second');
    const second = await preparer.prepare({
      executor,
      workRoot,
      sessionId: ids('session'),
      kind: 'isolated',
      repo: url,
      baseBranch: 'main',
    });
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
