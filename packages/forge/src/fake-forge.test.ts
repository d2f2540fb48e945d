import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalExecutor, type Executor } from '@orcha/exec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeForge, type FakeForge, type FakeForgeChange } from './index.js';
import { runForgeContract } from './testing/index.js';

const identity = ['-c', 'user.name=worker', '-c', 'user.email=worker@example.invalid'];
const repo = 'acme/app';

async function git(executor: Executor, cwd: string, args: string[]): Promise<string> {
  const result = await executor.run('git', args, { cwd });
  if (result.code !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/** Fresh repositories with a `main` commit and one more on `branch`, made through the local executor. */
function workspaces(root: string, executor: Executor) {
  let made = 0;
  return async (branch: string): Promise<string> => {
    const cwd = join(root, `workspace-${++made}`);
    await mkdir(cwd, { recursive: true });
    await git(executor, cwd, ['init', '--quiet', '--initial-branch=main']);
    await writeFile(join(cwd, 'README.md'), 'app\n');
    await git(executor, cwd, ['add', '.']);
    await git(executor, cwd, [...identity, 'commit', '--quiet', '-m', 'initial']);
    await git(executor, cwd, ['checkout', '--quiet', '-b', branch]);
    await writeFile(join(cwd, 'work.txt'), `${branch} in workspace ${made}\n`);
    await git(executor, cwd, ['add', '.']);
    await git(executor, cwd, [...identity, 'commit', '--quiet', '-m', `work on ${branch}`]);
    return cwd;
  };
}

runForgeContract('fake', async () => {
  const executor = createLocalExecutor();
  const root = await mkdtemp(join(tmpdir(), 'orcha-fake-forge-'));
  const forge = createFakeForge();
  forge.createRepository(repo);
  return {
    forge,
    repo,
    baseBranch: 'main',
    executor,
    makeWorkspace: workspaces(root, executor),
    control: {
      merge: async (number) => forge.merge(repo, number),
      close: async (number) => forge.close(repo, number),
      addReview: async (number, review) => forge.addReview(repo, number, review),
      addComment: async (number, comment) => forge.addComment(repo, number, comment),
      failCheck: async (number, check) => forge.failCheck(repo, number, check),
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});

describe('fake forge', () => {
  const executor = createLocalExecutor();
  let root: string;
  let makeWorkspace: (branch: string) => Promise<string>;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'orcha-fake-forge-'));
    makeWorkspace = workspaces(root, executor);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const publish = async (forge: FakeForge, branch: string) => {
    const cwd = await makeWorkspace(branch);
    await forge.pushBranch({ executor, cwd, repo, branch });
    return forge.openPullRequest({ repo, branch, baseBranch: 'main', title: branch, body: '' });
  };

  it('restores a snapshot as JSON: pull requests, feedback and numbering carry on', async () => {
    const before = createFakeForge();
    const first = await publish(before, 'feature/saved');
    before.addReview(repo, first.number, { author: 'ana', body: 'rename it' });
    const after = createFakeForge();
    after.restore(JSON.parse(JSON.stringify(before.snapshot())));
    expect(await after.getPullRequest({ repo, number: first.number })).toEqual(first);
    expect((await after.listFeedback({ repo, number: first.number })).map((item) => item.body)).toEqual([
      'rename it',
    ]);
    const second = await publish(after, 'feature/next');
    expect(second.number).toBe(first.number + 1);
    expect(() => after.restore({ repos: 'nope' })).toThrow(/not a fake forge snapshot/);
    expect(after.list()).toHaveLength(2);
  });

  it('gives a plain directory a sha derived from its files, so the offline demo can publish', async () => {
    const forge = createFakeForge();
    const cwd = join(root, 'scratch');
    await mkdir(join(cwd, 'notes'), { recursive: true });
    await writeFile(join(cwd, 'notes', 'plan.md'), 'plan\n');
    const push = (branch: string) => forge.pushBranch({ executor, cwd, repo, branch });
    const first = await push('demo/scratch');
    expect(first.headSha).toMatch(/^[0-9a-f]{40}$/);
    expect(await push('demo/scratch')).toEqual(first);
    expect((await push('demo/other')).headSha).not.toBe(first.headSha);
    const pr = await forge.openPullRequest({
      repo,
      branch: 'demo/scratch',
      baseBranch: 'main',
      title: 'Demo',
      body: '',
    });
    await writeFile(join(cwd, 'notes', 'plan.md'), 'better plan\n');
    const second = await push('demo/scratch');
    expect(second.headSha).not.toBe(first.headSha);
    expect((await forge.getPullRequest({ repo, number: pr.number })).headSha).toBe(second.headSha);
  });

  it('refuses to push a git repository without a commit', async () => {
    const cwd = join(root, 'empty');
    await mkdir(cwd);
    await git(executor, cwd, ['init', '--quiet']);
    await expect(
      createFakeForge().pushBranch({ executor, cwd, repo, branch: 'orcha/empty' }),
    ).rejects.toMatchObject({ code: 'conflict' });
  });

  it('turns reviews, review comments and check runs into feedback as GitHub does', async () => {
    let now = 1_000;
    const forge = createFakeForge({ clock: () => now });
    const { number } = await publish(forge, 'orcha/feedback');
    forge.addReview(repo, number, { author: 'lead', body: '', state: 'approved' });
    forge.addReview(repo, number, { author: 'lead', body: '' });
    forge.addReviewComment(repo, number, { author: 'lead', body: 'typo', path: 'work.txt' });
    now = 2_000;
    forge.addComment(repo, number, { author: 'orcha', body: 'our own words' });
    forge.failCheck(repo, number, { name: 'ci', summary: 'red' });
    expect(await forge.listFeedback({ repo, number })).toEqual([
      {
        externalId: expect.stringMatching(/^review:/),
        kind: 'review',
        author: 'lead',
        body: 'changes requested',
        createdAt: 1_000,
      },
      {
        externalId: expect.stringMatching(/^review-comment:/),
        kind: 'review_comment',
        author: 'lead',
        body: 'work.txt: typo',
        createdAt: 1_000,
      },
      {
        externalId: expect.stringMatching(/^check:/),
        kind: 'check_failure',
        author: 'ci',
        body: 'ci failure: red',
        createdAt: 2_000,
      },
    ]);
    forge.passChecks(repo, number);
    expect((await forge.getPullRequest({ repo, number })).checks).toBe('passing');
    expect((await forge.listFeedback({ repo, number })).map((item) => item.kind)).not.toContain(
      'check_failure',
    );
  });

  it('merges like a fast-forward, refuses to merge or close twice, and lists every pull request', async () => {
    const forge = createFakeForge();
    const mergedCwd = await makeWorkspace('orcha/merged');
    await forge.pushBranch({ executor, cwd: mergedCwd, repo, branch: 'orcha/merged' });
    const merged = await forge.openPullRequest({
      repo,
      branch: 'orcha/merged',
      baseBranch: 'main',
      title: 'Merged',
      body: '',
    });
    const closed = await publish(forge, 'orcha/closed');
    forge.merge(repo, merged.number);
    forge.close(repo, closed.number);
    expect(() => forge.merge(repo, merged.number)).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(() => forge.close(repo, closed.number)).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(() => forge.merge(repo, 42)).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(forge.list().map((pr) => [pr.repo, pr.number, pr.state])).toEqual([
      [repo, merged.number, 'merged'],
      [repo, closed.number, 'closed'],
    ]);
    // main now points at the merged head: a pull request with nothing new is refused.
    await forge.pushBranch({ executor, cwd: mergedCwd, repo, branch: 'orcha/again' });
    await expect(
      forge.openPullRequest({ repo, branch: 'orcha/again', baseBranch: 'main', title: 'Again', body: '' }),
    ).rejects.toMatchObject({ code: 'conflict' });
  });

  it('does not reopen a pull request while another one is open for its branch', async () => {
    const forge = createFakeForge();
    const first = await publish(forge, 'orcha/shared');
    forge.close(repo, first.number);
    await forge.openPullRequest({
      repo,
      branch: 'orcha/shared',
      baseBranch: 'main',
      title: 'Second',
      body: '',
    });
    await expect(forge.reopenPullRequest({ repo, number: first.number })).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('answers not_found for a repository nothing was pushed to', async () => {
    const forge = createFakeForge();
    await expect(
      forge.openPullRequest({ repo: 'acme/none', branch: 'x', baseBranch: 'main', title: 'X', body: '' }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(forge.getPullRequest({ repo: 'acme/none', number: 1 })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('keeps each repository its default branch, across a snapshot; anyRepository knows every name', async () => {
    const forge = createFakeForge();
    forge.createRepository('acme/trunk', { defaultBranch: 'trunk' });
    expect(await forge.getRepository({ repo: 'acme/trunk' })).toEqual({ defaultBranch: 'trunk' });
    const restored = createFakeForge();
    restored.restore(JSON.parse(JSON.stringify(forge.snapshot())));
    expect(await restored.getRepository({ repo: 'acme/trunk' })).toEqual({ defaultBranch: 'trunk' });
    expect(() => forge.createRepository('acme/bad', { defaultBranch: '--evil' })).toThrow(/branch/i);
    const open = createFakeForge({ anyRepository: true });
    expect(await open.getRepository({ repo: 'demo/anything' })).toEqual({ defaultBranch: 'main' });
    await expect(forge.getRepository({ repo: 'demo/anything' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('tells listeners about every change, survives a failing listener and stops on unsubscribe', async () => {
    const forge = createFakeForge();
    const changes: FakeForgeChange[] = [];
    const stop = forge.onChange((change) => changes.push(change));
    const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
    const stopBroken = forge.onChange(() => {
      throw new Error('broken listener');
    });
    const pr = await publish(forge, 'orcha/watched');
    expect((await warned).message).toContain('broken listener');
    stopBroken();
    forge.addComment(repo, pr.number, { author: 'teammate', body: 'hi' });
    await forge.commentPullRequest({ repo, number: pr.number, body: 'on it' });
    forge.merge(repo, pr.number);
    stop();
    forge.addComment(repo, pr.number, { author: 'teammate', body: 'unseen' });
    expect(changes.map((change) => change.type)).toEqual([
      'branch-push',
      'pull-request-change',
      'feedback-add',
      'comment-add',
      'pull-request-change',
    ]);
    expect(changes.at(-1)).toMatchObject({ pullRequest: { number: pr.number, state: 'merged' } });
  });
});
