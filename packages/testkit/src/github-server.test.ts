import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHttpServer, git, startGitHttpServer } from './git-http-server.js';
import { responseSchema, validate } from './github-openapi.js';
import { type FakeGitHub, startFakeGitHub } from './github-server.js';

let gitServer: GitHttpServer;
let github: FakeGitHub;
let work: string;

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${github.url}${path}`, {
    method,
    headers: { authorization: `token ${github.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> & unknown[] };
}

function conforms(path: string, method: string, status: number, value: unknown) {
  expect(validate(responseSchema(path, method, status), value)).toEqual([]);
}

beforeAll(async () => {
  gitServer = await startGitHttpServer();
  github = await startFakeGitHub(gitServer);
  work = await mkdtemp(join(tmpdir(), 'orcha-gh-'));
  const url = await gitServer.createRepo('acme/app');
  const clone = join(work, 'clone');
  await git(['clone', '--quiet', url, clone]);
  await git(['checkout', '--quiet', '-b', 'main'], { cwd: clone });
  await writeFile(join(clone, 'a.txt'), 'a\n');
  await git(['add', '.'], { cwd: clone });
  await git(['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', 'commit', '--quiet', '-m', 'a'], {
    cwd: clone,
  });
  await git(['push', '--quiet', 'origin', 'main'], { cwd: clone });
  await git(['checkout', '--quiet', '-b', 'orcha/feature'], { cwd: clone });
  await writeFile(join(clone, 'b.txt'), 'b\n');
  await git(['add', '.'], { cwd: clone });
  await git(['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', 'commit', '--quiet', '-m', 'b'], {
    cwd: clone,
  });
  await git(['push', '--quiet', 'origin', 'orcha/feature'], { cwd: clone });
});

afterAll(async () => {
  await github?.stop();
  await gitServer?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('fake GitHub REST server', () => {
  it('refuses requests without the token', async () => {
    const response = await fetch(`${github.url}/repos/acme/app/pulls/1`);
    expect(response.status).toBe(401);
  });

  it("answers every endpoint orcha uses in the shapes of GitHub's OpenAPI description", async () => {
    const created = await call('POST', '/repos/acme/app/pulls', {
      title: 'Feature',
      head: 'orcha/feature',
      base: 'main',
      body: 'why',
    });
    expect(created.status).toBe(201);
    conforms('/repos/{owner}/{repo}/pulls', 'post', 201, created.json);
    const head = (
      await git(['rev-parse', 'refs/heads/orcha/feature'], { cwd: gitServer.repoPath('acme/app') })
    ).trim();
    expect(created.json).toMatchObject({
      number: 1,
      state: 'open',
      head: { ref: 'orcha/feature', sha: head },
      base: { ref: 'main' },
    });

    await github.control.addReview('acme/app', 1, { author: 'reviewer', body: 'please rename' });
    await github.control.addReviewComment('acme/app', 1, {
      author: 'reviewer',
      body: 'typo here',
      path: 'b.txt',
    });
    github.control.addComment('acme/app', 1, { author: 'someone', body: 'nice' });
    await github.control.failCheck('acme/app', 1, 'ci', 'tests failed');

    const get = await call('GET', '/repos/acme/app/pulls/1');
    conforms('/repos/{owner}/{repo}/pulls/{pull_number}', 'get', 200, get.json);
    const reviews = await call('GET', '/repos/acme/app/pulls/1/reviews');
    conforms('/repos/{owner}/{repo}/pulls/{pull_number}/reviews', 'get', 200, reviews.json);
    expect(reviews.json).toHaveLength(1);
    const reviewComments = await call('GET', '/repos/acme/app/pulls/1/comments');
    conforms('/repos/{owner}/{repo}/pulls/{pull_number}/comments', 'get', 200, reviewComments.json);
    const comments = await call('GET', '/repos/acme/app/issues/1/comments');
    conforms('/repos/{owner}/{repo}/issues/{issue_number}/comments', 'get', 200, comments.json);
    const posted = await call('POST', '/repos/acme/app/issues/1/comments', { body: 'on it' });
    conforms('/repos/{owner}/{repo}/issues/{issue_number}/comments', 'post', 201, posted.json);
    const checks = await call('GET', `/repos/acme/app/commits/${head}/check-runs`);
    conforms('/repos/{owner}/{repo}/commits/{ref}/check-runs', 'get', 200, checks.json);
    expect(checks.json).toMatchObject({
      total_count: 1,
      check_runs: [{ name: 'ci', conclusion: 'failure' }],
    });
    const status = await call('GET', `/repos/acme/app/commits/${head}/status`);
    conforms('/repos/{owner}/{repo}/commits/{ref}/status', 'get', 200, status.json);

    const merged = await call('PUT', '/repos/acme/app/pulls/1/merge', {});
    conforms('/repos/{owner}/{repo}/pulls/{pull_number}/merge', 'put', 200, merged.json);
    const after = await call('GET', '/repos/acme/app/pulls/1');
    expect(after.json).toMatchObject({ state: 'closed', merged: true });
    conforms('/repos/{owner}/{repo}/pulls/{pull_number}', 'get', 200, after.json);
  });

  it('validation catches a wrong shape', () => {
    expect(
      validate(responseSchema('/repos/{owner}/{repo}/pulls/{pull_number}', 'get', 200), { number: 'one' })
        .length,
    ).toBeGreaterThan(10);
  });

  it('refuses a pull request for a branch that does not exist', async () => {
    const missing = await call('POST', '/repos/acme/app/pulls', { title: 'x', head: 'nope', base: 'main' });
    expect(missing.status).toBe(422);
  });

  it("keeps GitHub's rules: the default branch, 404 for an unknown repository, 422 for a pull request GitHub refuses", async () => {
    const repo = await call('GET', '/repos/acme/app');
    expect(repo.status).toBe(200);
    expect(repo.json.default_branch).toBe('main');
    conforms('/repos/{owner}/{repo}', 'get', 200, repo.json);
    expect((await call('GET', '/repos/acme/missing')).status).toBe(404);
    expect(
      (await call('POST', '/repos/acme/missing/pulls', { title: 'x', head: 'orcha/feature', base: 'main' }))
        .status,
    ).toBe(404);

    const reason = (answer: { json: unknown }) =>
      (answer.json as { errors: { message: string }[] }).errors[0]!.message;
    const noBase = await call('POST', '/repos/acme/app/pulls', {
      title: 'x',
      head: 'orcha/feature',
      base: 'release',
    });
    expect(noBase.status).toBe(422);
    expect(reason(noBase)).toBe('base release does not exist');

    await git(['branch', 'orcha/empty', 'main'], { cwd: gitServer.repoPath('acme/app') });
    const empty = await call('POST', '/repos/acme/app/pulls', {
      title: 'x',
      head: 'orcha/empty',
      base: 'main',
    });
    expect(empty.status).toBe(422);
    expect(reason(empty)).toBe('No commits between main and orcha/empty');

    const first = await call('POST', '/repos/acme/app/pulls', {
      title: 'again',
      head: 'orcha/feature',
      base: 'main',
    });
    expect(first.status).toBe(201);
    const second = await call('POST', '/repos/acme/app/pulls', {
      title: 'twice',
      head: 'orcha/feature',
      base: 'main',
    });
    expect(second.status).toBe(422);
    expect(reason(second)).toMatch(/already exists/);
  });
});
