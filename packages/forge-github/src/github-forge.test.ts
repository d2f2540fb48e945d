import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalExecutor } from '@orcha/exec';
import {
  type FakeGitHub,
  type GitHttpServer,
  git,
  startFakeGitHub,
  startGitHttpServer,
} from '@orcha/testkit';
import isomorphicGit from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubForge, githubToken, parseRepo } from './index.js';

const token = 'ghp_secret_token_for_tests';
let gitServer: GitHttpServer;
let github: FakeGitHub;
let work: string;
let workspace: string;
const executor = createLocalExecutor();
const commitArgs = ['-c', 'user.name=worker', '-c', 'user.email=worker@example.invalid', 'commit', '--quiet'];

beforeAll(async () => {
  gitServer = await startGitHttpServer({ token });
  github = await startFakeGitHub(gitServer, { token });
  work = await mkdtemp(join(tmpdir(), 'orcha-forge-gh-'));
  // Seed main directly in the bare repository (the server needs auth; the seed does not go through it).
  await gitServer.createRepo('acme/app');
  const seed = join(work, 'seed');
  await git(['init', '--quiet', '--initial-branch=main', seed]);
  await writeFile(join(seed, 'README.md'), 'app\n');
  await git(['add', '.'], { cwd: seed });
  await git([...commitArgs, '-m', 'initial'], { cwd: seed });
  await git(['push', '--quiet', gitServer.repoPath('acme/app'), 'main'], { cwd: seed });
  workspace = join(work, 'workspace');
  await git(['clone', '--quiet', gitServer.repoPath('acme/app'), workspace]);
  await git(['checkout', '--quiet', '-b', 'orcha/abc-feature'], { cwd: workspace });
  await writeFile(join(workspace, 'feature.txt'), 'feature\n');
  await git(['add', '.'], { cwd: workspace });
  await git([...commitArgs, '-m', 'feature'], { cwd: workspace });
});

afterAll(async () => {
  await github?.stop();
  await gitServer?.stop();
  await rm(work, { recursive: true, force: true });
});

const forge = () =>
  createGitHubForge({
    token,
    baseUrl: github.url,
    cloneUrl: (repo) => `${gitServer.url}/${parseRepo(repo).owner}/${parseRepo(repo).name}.git`,
  });

describe('GitHub forge', () => {
  it('pushes through the credential helper (token never in argv) and opens a pull request', async () => {
    const pushed = await forge().pushBranch({
      executor,
      cwd: workspace,
      repo: 'acme/app',
      branch: 'orcha/abc-feature',
    });
    const local = (await git(['rev-parse', 'HEAD'], { cwd: workspace })).trim();
    expect(pushed.headSha).toBe(local);
    // isomorphic-git reads the remote in-process: the branch landed.
    const refs = await isomorphicGit.listServerRefs({
      http,
      url: `${gitServer.url}/acme/app.git`,
      prefix: 'refs/heads/orcha/',
      onAuth: () => ({ username: 'x', password: token }),
    });
    expect(refs).toEqual([{ ref: 'refs/heads/orcha/abc-feature', oid: local }]);

    const pr = await forge().openPullRequest({
      repo: 'acme/app',
      branch: 'orcha/abc-feature',
      baseBranch: 'main',
      title: 'Feature',
      body: 'Adds it',
    });
    expect(pr).toMatchObject({
      number: 1,
      state: 'open',
      headSha: local,
      branch: 'orcha/abc-feature',
      baseBranch: 'main',
      checks: 'none',
    });
    expect(github.requests.every((request) => request.authorization === `token ${token}`)).toBe(true);
  });

  it('fails clearly without the right token, and never prints it', async () => {
    const wrong = createGitHubForge({
      token: 'ghp_wrong',
      baseUrl: github.url,
      cloneUrl: () => `${gitServer.url}/acme/app.git`,
    });
    const error = await wrong
      .pushBranch({ executor, cwd: workspace, repo: 'acme/app', branch: 'orcha/abc-feature' })
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'unavailable' });
    expect(String(error.message)).not.toContain('ghp_wrong');
    await expect(wrong.getPullRequest({ repo: 'acme/app', number: 1 })).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('lists reviews, review comments, comments and failed checks as feedback', async () => {
    await github.control.addReview('acme/app', 1, { author: 'reviewer', body: 'Please add a test' });
    await github.control.addReviewComment('acme/app', 1, {
      author: 'reviewer',
      body: 'typo',
      path: 'feature.txt',
    });
    github.control.addComment('acme/app', 1, { author: 'teammate', body: 'Looks good otherwise' });
    await forge().commentPullRequest({ repo: 'acme/app', number: 1, body: 'orcha is on it' });
    await github.control.failCheck('acme/app', 1, 'ci', 'unit tests failed');
    const feedback = await forge().listFeedback({ repo: 'acme/app', number: 1 });
    expect(feedback.map((item) => item.kind).sort()).toEqual([
      'check_failure',
      'comment',
      'review',
      'review_comment',
    ]);
    expect(feedback.find((item) => item.kind === 'review')).toMatchObject({
      author: 'reviewer',
      body: 'Please add a test',
    });
    expect(new Set(feedback.map((item) => item.externalId)).size).toBe(4);
    expect((await forge().getPullRequest({ repo: 'acme/app', number: 1 })).checks).toBe('failing');
  });

  it('reports merged and missing pull requests', async () => {
    await github.control.merge('acme/app', 1);
    expect((await forge().getPullRequest({ repo: 'acme/app', number: 1 })).state).toBe('merged');
    await expect(forge().getPullRequest({ repo: 'acme/app', number: 99 })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('finds a token in the environment', async () => {
    expect(await githubToken({ GITHUB_TOKEN: ' abc ' })).toBe('abc');
    expect(await githubToken({ GH_TOKEN: 'def' })).toBe('def');
    expect(parseRepo('git@github.com:acme/app.git')).toEqual({ owner: 'acme', name: 'app' });
    expect(parseRepo('https://ghe.example.com/acme/app')).toEqual({ owner: 'acme', name: 'app' });
    expect(() => parseRepo('nonsense')).toThrow();
  });
});
