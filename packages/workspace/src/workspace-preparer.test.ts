import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLocalExecutor } from '@orcha/exec';
import { createIdGenerator } from '@orcha/model';
import { createTempDir, type GitHttpServer, git, startGitHttpServer, type TempDir } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchPreparer, createWorkspacePreparer } from './index.js';

const executor = createLocalExecutor();
const ids = createIdGenerator(Date.now, () => Math.floor(Math.random() * 32));
const identity = ['-c', 'user.name=upstream', '-c', 'user.email=upstream@example.invalid'];
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

let temp: TempDir;
let server: GitHttpServer;
let mainSha: string;
let featureSha: string;

beforeAll(async () => {
  temp = await createTempDir('orcha-workspace-');
  server = await startGitHttpServer();
  const url = await server.createRepo('acme/app');
  const upstream = join(temp.path, 'upstream');
  await git(['clone', '--quiet', url, upstream]);
  await git(['checkout', '--quiet', '-b', 'main'], { cwd: upstream });
  await writeFile(join(upstream, 'README.md'), 'app\n');
  await git(['add', '.'], { cwd: upstream });
  await git([...identity, 'commit', '--quiet', '-m', 'initial'], { cwd: upstream });
  await git(['push', '--quiet', 'origin', 'main'], { cwd: upstream });
  mainSha = (await git(['rev-parse', 'HEAD'], { cwd: upstream })).trim();
  await git(['checkout', '--quiet', '-b', 'orcha/feature'], { cwd: upstream });
  await writeFile(join(upstream, 'feature.txt'), 'feature\n');
  await git(['add', '.'], { cwd: upstream });
  await git([...identity, 'commit', '--quiet', '-m', 'feature'], { cwd: upstream });
  await git(['push', '--quiet', 'origin', 'orcha/feature'], { cwd: upstream });
  featureSha = (await git(['rev-parse', 'HEAD'], { cwd: upstream })).trim();
});

afterAll(async () => {
  await server?.stop();
  await temp?.remove();
});

/** A fresh work root (not created yet) inside its own directory, so escapes can be looked for. */
async function freshRoot(name: string) {
  const parent = join(temp.path, name);
  await executor.run('mkdir', ['-p', parent]);
  return { parent, workRoot: join(parent, 'work') };
}

const scratch = (workRoot: string, sessionId: string) => ({
  executor,
  workRoot,
  objectiveId: ids('objective'),
  sessionId,
  kind: 'scratch' as const,
});

describe('workspace preparer', () => {
  it('makes one scratch directory per session under the work root', async () => {
    const { workRoot } = await freshRoot('scratch');
    const preparer = createScratchPreparer();
    const first = await preparer.prepare(scratch(workRoot, ids('session')));
    const second = await preparer.prepare({
      ...scratch(workRoot, ids('session')),
      kind: 'isolated',
      repo: 'acme/app',
      baseBranch: 'main',
    });
    expect(first).toMatchObject({ branch: null, baseBranch: null, headSha: null });
    expect(first.path).not.toBe(second.path);
    expect((await readdir(join(workRoot, 'sessions'))).sort()).toEqual(
      [first.path, second.path].map((path) => path.split('/').at(-1)).sort(),
    );
    // Without git settings an isolated request gets a plain directory too.
    expect(await exists(join(second.path, '.git'))).toBe(false);
  });

  it('refuses hostile session ids and work roots before creating anything', async () => {
    const { parent, workRoot } = await freshRoot('hostile');
    const preparer = createScratchPreparer();
    for (const sessionId of ['../x', '../../escape', '/tmp/absolute', `${ids('session')}/../../x`, '']) {
      await expect(preparer.prepare(scratch(workRoot, sessionId))).rejects.toMatchObject({
        code: expect.stringMatching(/^(invalid_argument|forbidden)$/),
      });
    }
    await expect(preparer.prepare(scratch('relative/work', ids('session')))).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    expect(await readdir(parent)).toEqual([]);
    expect(await exists(join(temp.path, 'escape'))).toBe(false);
  });

  it('removes a prepared workspace, and nothing outside the sessions directory', async () => {
    const { parent, workRoot } = await freshRoot('remove');
    const preparer = createScratchPreparer();
    const kept = await preparer.prepare(scratch(workRoot, ids('session')));
    const doomed = await preparer.prepare(scratch(workRoot, ids('session')));
    await writeFile(join(doomed.path, 'notes.md'), 'work\n');
    await writeFile(join(parent, 'outside.txt'), 'keep me\n');
    await executor.run('mkdir', ['-p', join(workRoot, 'mirrors', 'repo.git')]);
    for (const path of [
      '/etc',
      parent,
      join(parent, 'outside.txt'),
      workRoot,
      join(workRoot, 'sessions'),
      join(workRoot, 'mirrors'),
      `${workRoot}/sessions/../mirrors`,
      `${kept.path}/..`,
      join(kept.path, 'nested'),
    ]) {
      await expect(preparer.remove({ executor, workRoot, paths: [path] })).rejects.toMatchObject({
        code: 'forbidden',
      });
    }
    await expect(preparer.remove({ executor, workRoot, paths: ['sessions/x'] })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    // One path outside refuses the whole request: nothing is deleted.
    await expect(
      preparer.remove({ executor, workRoot, paths: [kept.path, doomed.path, '/etc'] }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    expect(await exists(doomed.path)).toBe(true);
    await preparer.remove({ executor, workRoot, paths: [doomed.path] });
    expect(await exists(doomed.path)).toBe(false);
    expect(await exists(kept.path)).toBe(true);
    expect(await exists(join(parent, 'outside.txt'))).toBe(true);
    expect(await exists(join(workRoot, 'mirrors', 'repo.git'))).toBe(true);
  });

  it('with git settings, checks out isolated and pr_branch workspaces through git', async () => {
    const { workRoot } = await freshRoot('git');
    const preparer = createWorkspacePreparer({ git: { cloneUrl: (slug) => `${server.url}/${slug}.git` } });
    const base = { executor, workRoot, objectiveId: ids('objective'), repo: 'acme/app', baseBranch: 'main' };

    const isolated = await preparer.prepare({
      ...base,
      sessionId: ids('session'),
      kind: 'isolated',
      title: 'Fix login',
    });
    expect(isolated).toMatchObject({ baseBranch: 'main', headSha: mainSha });
    expect(isolated.branch).toMatch(/^orcha\/[0-9a-z]{8}-fix-login$/);
    expect(isolated.path.startsWith(join(workRoot, 'sessions'))).toBe(true);
    expect((await git(['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: isolated.path })).trim()).toBe(
      isolated.branch,
    );

    const followUp = await preparer.prepare({
      ...base,
      sessionId: ids('session'),
      kind: 'pr_branch',
      branch: 'orcha/feature',
    });
    expect(followUp).toMatchObject({ branch: 'orcha/feature', headSha: featureSha });
    expect(await exists(join(followUp.path, 'feature.txt'))).toBe(true);

    const plain = await preparer.prepare(scratch(workRoot, ids('session')));
    expect(await exists(join(plain.path, '.git'))).toBe(false);

    await expect(
      preparer.prepare({ ...base, sessionId: ids('session'), kind: 'pr_branch' }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(
      preparer.prepare({ ...base, sessionId: ids('session'), kind: 'isolated', repo: undefined }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(
      preparer.prepare({ ...base, sessionId: '../escape', kind: 'isolated' }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });

    await preparer.remove({ executor, workRoot, paths: [isolated.path] });
    expect(await exists(isolated.path)).toBe(false);
    expect(await exists(followUp.path)).toBe(true);
  });
});
