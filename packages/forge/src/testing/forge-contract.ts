import type { Executor } from '@orcha/exec';
import { type ErrorCode, OrchaError } from '@orcha/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Forge, PullRequestRef } from '../forge.js';

/** The people around a pull request, played by each backend's own test controls. */
export interface ForgeControls {
  merge(number: number): Promise<void>;
  close(number: number): Promise<void>;
  addReview(number: number, review: { author: string; body: string }): Promise<void>;
  addComment(number: number, comment: { author: string; body: string }): Promise<void>;
  /** A failed check run on the pull request's current head. */
  failCheck(number: number, check: { name: string; summary: string }): Promise<void>;
}

export interface ForgeHarness {
  forge: Forge;
  /** The repository the contract works in; the harness has made it. */
  repo: string;
  /** The repository's default branch, which pull requests target; it exists wherever the backend needs it. */
  baseBranch: string;
  /** Runs git in the workspaces (a local executor); the contract commits through it too. */
  executor: Executor;
  /**
   * Makes a new git workspace with `branch` checked out and one commit on it that no other workspace has,
   * built on the base branch where the backend has one. Resolves with its path.
   */
  makeWorkspace(branch: string): Promise<string>;
  control: ForgeControls;
  /** Stops servers and removes every directory the harness made. */
  cleanup(): Promise<void>;
}

const identity = ['-c', 'user.name=contract', '-c', 'user.email=contract@example.invalid'];

/** Settles `promise` and checks it was refused with an `OrchaError` of one of `codes`. */
async function expectRefusal(promise: Promise<unknown>, codes: readonly ErrorCode[]): Promise<OrchaError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a refusal (${codes.join(' or ')}), got a result`);
  expect(outcome.error).toBeInstanceOf(OrchaError);
  expect(codes).toContain((outcome.error as OrchaError).code);
  return outcome.error as OrchaError;
}

/**
 * The behaviour every Forge promises, run against a backend: `runForgeContract('github', setup)` inside a
 * vitest file. `setup` runs once for the suite; each test works on its own branches.
 */
export function runForgeContract(name: string, setup: () => Promise<ForgeHarness>): void {
  describe(`forge contract: ${name}`, () => {
    let harness: ForgeHarness;
    beforeAll(async () => {
      harness = await setup();
    });
    afterAll(async () => {
      await harness?.cleanup();
    });

    const git = async (cwd: string, args: string[]) => {
      const result = await harness.executor.run('git', args, { cwd });
      if (result.code !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr.trim()}`);
      return result.stdout.trim();
    };
    const commit = async (cwd: string, file: string, content: string) => {
      await harness.executor.files(cwd).write(file, content);
      await git(cwd, ['add', file]);
      await git(cwd, [...identity, 'commit', '--quiet', '-m', `change ${file}`]);
      return git(cwd, ['rev-parse', 'HEAD']);
    };
    const push = (cwd: string, branch: string, force?: { reason: string }) =>
      harness.forge.pushBranch({
        executor: harness.executor,
        cwd,
        repo: harness.repo,
        branch,
        force: force !== undefined,
        reason: force?.reason,
      });
    const open = (branch: string, title = `Work on ${branch}`) =>
      harness.forge.openPullRequest({
        repo: harness.repo,
        branch,
        baseBranch: harness.baseBranch,
        title,
        body: 'Made by the forge contract',
      });
    /** A workspace with its branch pushed and a pull request open for it. */
    const published = async (branch: string) => {
      const cwd = await harness.makeWorkspace(branch);
      const { headSha } = await push(cwd, branch);
      const pr = await open(branch);
      return { cwd, headSha, pr, ref: { repo: harness.repo, number: pr.number } satisfies PullRequestRef };
    };

    it('pushes a branch and opens a pull request at the pushed head', async () => {
      const cwd = await harness.makeWorkspace('contract/open');
      const pushed = await push(cwd, 'contract/open');
      expect(pushed.headSha).toBe(await git(cwd, ['rev-parse', 'HEAD']));
      const pr = await open('contract/open', 'Open a pull request');
      expect(pr).toMatchObject({
        state: 'open',
        headSha: pushed.headSha,
        branch: 'contract/open',
        baseBranch: harness.baseBranch,
        title: 'Open a pull request',
        checks: 'none',
      });
      expect(Number.isInteger(pr.number) && pr.number > 0).toBe(true);
      expect(pr.url).toMatch(/^https?:\/\//);
      expect(await harness.forge.getPullRequest({ repo: harness.repo, number: pr.number })).toEqual(pr);
    });

    it("reads a repository's default branch; an unknown repository is not_found", async () => {
      expect(await harness.forge.getRepository({ repo: harness.repo })).toEqual({
        defaultBranch: harness.baseBranch,
      });
      const missing = `${harness.repo.split('/').slice(-2, -1)[0] ?? 'acme'}/orcha-contract-missing`;
      await expectRefusal(harness.forge.getRepository({ repo: missing }), ['not_found']);
      await expectRefusal(
        harness.forge.openPullRequest({
          repo: missing,
          branch: 'contract/missing',
          baseBranch: harness.baseBranch,
          title: 'Nowhere',
          body: '',
        }),
        ['not_found'],
      );
      await expectRefusal(harness.forge.getRepository({ repo: 'not a repo' }), ['invalid_argument']);
    });

    it('refuses a pull request with no commits over its base, or into a base that does not exist', async () => {
      const cwd = await harness.makeWorkspace('contract/empty');
      await git(cwd, ['reset', '--quiet', '--hard', 'HEAD~1']);
      await push(cwd, 'contract/empty-base');
      await push(cwd, 'contract/empty');
      const into = (baseBranch: string) =>
        harness.forge.openPullRequest({
          repo: harness.repo,
          branch: 'contract/empty',
          baseBranch,
          title: 'Nothing new',
          body: '',
        });
      const empty = await expectRefusal(into('contract/empty-base'), ['conflict']);
      expect(empty.message).toMatch(/no commits between/i);
      const noBase = await expectRefusal(into('contract/no-such-base'), ['conflict']);
      expect(noBase.message).toMatch(/contract\/no-such-base/);
    });

    it('refuses a pull request for a branch never pushed, and a second open one for a branch', async () => {
      await expectRefusal(open('contract/never-pushed'), ['conflict', 'not_found']);
      const { pr } = await published('contract/twice');
      const error = await expectRefusal(open('contract/twice'), ['conflict']);
      expect(error.message).not.toBe('');
      expect((await harness.forge.getPullRequest({ repo: harness.repo, number: pr.number })).state).toBe(
        'open',
      );
    });

    it('refreshes a merged and a closed pull request', async () => {
      const merged = await published('contract/merge-me');
      const closed = await published('contract/close-me');
      await harness.control.merge(merged.pr.number);
      await harness.control.close(closed.pr.number);
      expect(await harness.forge.getPullRequest(merged.ref)).toMatchObject({
        state: 'merged',
        headSha: merged.headSha,
      });
      expect(await harness.forge.getPullRequest(closed.ref)).toMatchObject({
        state: 'closed',
        headSha: closed.headSha,
      });
    });

    it('reopens a closed pull request, but neither a merged nor an open one', async () => {
      const closed = await published('contract/reopen');
      await harness.control.close(closed.pr.number);
      const reopened = await harness.forge.reopenPullRequest(closed.ref);
      expect(reopened).toMatchObject({ number: closed.pr.number, state: 'open', headSha: closed.headSha });
      await expectRefusal(harness.forge.reopenPullRequest(closed.ref), ['conflict']);
      const merged = await published('contract/reopen-merged');
      await harness.control.merge(merged.pr.number);
      await expectRefusal(harness.forge.reopenPullRequest(merged.ref), ['conflict']);
      expect((await harness.forge.getPullRequest(merged.ref)).state).toBe('merged');
    });

    it('lists reviews, comments by others and failed checks once each, with stable ids, never our own comments', async () => {
      const { ref } = await published('contract/feedback');
      await harness.control.addReview(ref.number, { author: 'reviewer', body: 'Please add a test' });
      await harness.control.addComment(ref.number, { author: 'teammate', body: 'Looks good otherwise' });
      const ours = await harness.forge.commentPullRequest({ ...ref, body: 'orcha is on it' });
      expect(ours.id).not.toBe('');
      await harness.control.failCheck(ref.number, { name: 'unit', summary: 'expected 2, got 3' });

      const first = await harness.forge.listFeedback(ref);
      expect(first.map((item) => item.kind).sort()).toEqual(['check_failure', 'comment', 'review']);
      expect(first.find((item) => item.kind === 'review')).toMatchObject({
        author: 'reviewer',
        body: 'Please add a test',
      });
      expect(first.find((item) => item.kind === 'comment')).toMatchObject({
        author: 'teammate',
        body: 'Looks good otherwise',
      });
      expect(first.find((item) => item.kind === 'check_failure')?.body).toContain('expected 2, got 3');
      expect(first.some((item) => item.body.includes('orcha is on it'))).toBe(false);
      expect(new Set(first.map((item) => item.externalId)).size).toBe(3);
      const times = first.map((item) => item.createdAt);
      expect(times.every((time) => time > 0)).toBe(true);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect((await harness.forge.getPullRequest(ref)).checks).toBe('failing');

      const second = await harness.forge.listFeedback(ref);
      expect(second).toEqual(first);
      await harness.control.addComment(ref.number, { author: 'teammate', body: 'One more thing' });
      const third = await harness.forge.listFeedback(ref);
      expect(third).toHaveLength(4);
      expect(third.filter((item) => first.some((old) => old.externalId === item.externalId))).toEqual(first);
    });

    it('moves the head on a second push; failures on the old head stop being feedback', async () => {
      const { cwd, headSha, ref } = await published('contract/second-push');
      await harness.control.failCheck(ref.number, { name: 'lint', summary: 'unused variable' });
      await harness.control.addReview(ref.number, { author: 'reviewer', body: 'Fix the lint' });
      const next = await commit(cwd, 'second.txt', 'second push\n');
      const pushed = await push(cwd, 'contract/second-push');
      expect(pushed.headSha).toBe(next);
      expect(pushed.headSha).not.toBe(headSha);
      expect(await harness.forge.getPullRequest(ref)).toMatchObject({
        state: 'open',
        headSha: next,
        checks: 'none',
      });
      const feedback = await harness.forge.listFeedback(ref);
      expect(feedback.map((item) => item.kind)).toEqual(['review']);
    });

    it('refuses a push that does not build on the remote branch, unless forced', async () => {
      const first = await harness.makeWorkspace('contract/diverged');
      await push(first, 'contract/diverged');
      const pr = await open('contract/diverged');
      const other = await harness.makeWorkspace('contract/diverged');
      await expectRefusal(push(other, 'contract/diverged'), ['conflict']);
      expect((await harness.forge.getPullRequest({ repo: harness.repo, number: pr.number })).headSha).toBe(
        pr.headSha,
      );
      const forced = await push(other, 'contract/diverged', { reason: 'the contract rewrites history' });
      expect(forced.headSha).toBe(await git(other, ['rev-parse', 'HEAD']));
      expect((await harness.forge.getPullRequest({ repo: harness.repo, number: pr.number })).headSha).toBe(
        forced.headSha,
      );
    });

    it('answers not_found for a pull request that does not exist', async () => {
      const ref = { repo: harness.repo, number: 9999 };
      await expectRefusal(harness.forge.getPullRequest(ref), ['not_found']);
      await expectRefusal(harness.forge.reopenPullRequest(ref), ['not_found']);
      await expectRefusal(harness.forge.commentPullRequest({ ...ref, body: 'hello?' }), ['not_found']);
      await expectRefusal(harness.forge.listFeedback(ref), ['not_found']);
    });

    it('refuses malformed requests with invalid_argument before doing anything', async () => {
      const cwd = await harness.makeWorkspace('contract/malformed');
      await expectRefusal(push(cwd, '--upload-pack=evil'), ['invalid_argument']);
      await expectRefusal(
        harness.forge.pushBranch({ executor: harness.executor, cwd, repo: 'a; rm -rf /', branch: 'x' }),
        ['invalid_argument'],
      );
      await expectRefusal(harness.forge.getPullRequest({ repo: harness.repo, number: 0 }), [
        'invalid_argument',
      ]);
      await expectRefusal(open('contract/malformed', '  '), ['invalid_argument']);
      await expectRefusal(open(harness.baseBranch), ['invalid_argument']);
      await expectRefusal(harness.forge.commentPullRequest({ repo: harness.repo, number: 1, body: '' }), [
        'invalid_argument',
      ]);
      await expectRefusal(open('contract/malformed'), ['conflict', 'not_found']);
    });
  });
}
