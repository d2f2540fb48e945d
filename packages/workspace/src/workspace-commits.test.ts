import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalExecutor } from '@orcha/exec';
import { commitFile, git, seedRepo } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitWorkspaceChanges, defaultGitIdentity } from './workspace-commits.js';

const executor = createLocalExecutor();
let dir: string;
let bare: string;
let made = 0;

/** A checkout of the bare repository on a new branch, as the preparer makes one. */
async function checkout(): Promise<string> {
  const cwd = join(dir, `workspace-${++made}`);
  await git(['clone', '--quiet', bare, cwd]);
  await git(['checkout', '--quiet', '-b', `orcha/work-${made}`], { cwd });
  return cwd;
}

const head = async (cwd: string) => (await git(['rev-parse', 'HEAD'], { cwd })).trim();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orcha-commits-'));
  bare = join(dir, 'app.git');
  await git(['init', '--bare', '--quiet', '--initial-branch=main', bare]);
  await seedRepo(join(dir, 'seed'), bare, {
    files: { 'README.md': 'app\n', '.gitignore': 'node_modules/\n*.log\n' },
  });
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('committing what an agent leaves', () => {
  it('commits every change git does not ignore, by the given identity, with the message, on the branch', async () => {
    const cwd = await checkout();
    await writeFile(join(cwd, 'README.md'), 'app, changed\n');
    await mkdir(join(cwd, 'src'));
    await writeFile(join(cwd, 'src', 'hello.txt'), 'hello\n');
    await mkdir(join(cwd, 'node_modules'));
    await writeFile(join(cwd, 'node_modules', 'dep.js'), 'ignored\n');
    await writeFile(join(cwd, 'debug.log'), 'ignored\n');
    // The repository's own hooks never run for orcha's commit.
    await writeFile(join(cwd, '.git', 'hooks', 'pre-commit'), '#!/bin/sh\nexit 1\n');
    await chmod(join(cwd, '.git', 'hooks', 'pre-commit'), 0o755);
    const base = await head(cwd);

    const outcome = await commitWorkspaceChanges({
      executor,
      cwd,
      identity: { name: 'orcha bot', email: 'bot@orcha.invalid' },
      message: 'Say hello\n\nAdded src/hello.txt.',
      baseBranch: 'main',
    });
    const sha = await head(cwd);
    expect(sha).not.toBe(base);
    expect(outcome).toEqual({
      state: 'committed',
      commit: { sha, files: ['README.md', 'src/hello.txt'] },
      head: sha,
      ahead: 1,
    });
    const log = await git(['log', '-1', '--format=%an <%ae>|%cn <%ce>|%B'], { cwd });
    expect(log.trim()).toBe(
      'orcha bot <bot@orcha.invalid>|orcha bot <bot@orcha.invalid>|Say hello\n\nAdded src/hello.txt.',
    );
    expect((await git(['rev-parse', '--abbrev-ref', 'HEAD'], { cwd })).trim()).toMatch(/^orcha\/work-/);
    expect((await git(['status', '--porcelain', '--ignored'], { cwd })).trim().split('\n').sort()).toEqual([
      '!! debug.log',
      '!! node_modules/',
    ]);
  });

  it('leaves an agent that committed, or changed nothing, alone', async () => {
    const committed = await checkout();
    const own = await commitFile(committed, 'mine.txt', 'mine\n', 'the agent commits itself');
    const left = await commitWorkspaceChanges({
      executor,
      cwd: committed,
      identity: defaultGitIdentity,
      message: 'unused',
      baseBranch: 'main',
    });
    expect(left).toEqual({ state: 'clean', commit: null, head: own, ahead: 1 });
    expect(await head(committed)).toBe(own);

    const untouched = await checkout();
    const ignoredOnly = join(untouched, 'trace.log');
    await writeFile(ignoredOnly, 'only an ignored file\n');
    const before = await head(untouched);
    expect(
      await commitWorkspaceChanges({
        executor,
        cwd: untouched,
        identity: defaultGitIdentity,
        message: 'x',
        baseBranch: 'main',
      }),
    ).toEqual({ state: 'clean', commit: null, head: before, ahead: 0 });
    expect(
      await commitWorkspaceChanges({ executor, cwd: untouched, identity: defaultGitIdentity, message: 'x' }),
    ).toEqual({ state: 'clean', commit: null, head: before, ahead: null });
  });

  it('never commits a plain directory, even one inside a repository, and refuses a forged identity', async () => {
    const outer = await checkout();
    const scratch = join(outer, 'scratch');
    await mkdir(scratch);
    await writeFile(join(scratch, 'note.txt'), 'not for any repository\n');
    const before = await head(outer);
    expect(
      await commitWorkspaceChanges({
        executor,
        cwd: scratch,
        identity: defaultGitIdentity,
        message: 'x',
        baseBranch: 'main',
      }),
    ).toEqual({ state: 'not_git', commit: null, head: null, ahead: null });
    expect(await head(outer)).toBe(before);

    await expect(
      commitWorkspaceChanges({
        executor,
        cwd: outer,
        identity: { name: 'evil>\nSigned-off-by: x', email: 'a@b' },
        message: 'x',
      }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(
      commitWorkspaceChanges({
        executor,
        cwd: outer,
        identity: defaultGitIdentity,
        message: 'x',
        baseBranch: '--all',
      }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(await head(outer)).toBe(before);
  });
});
