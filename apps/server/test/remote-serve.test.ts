import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createLocalExecutor } from '@orcha/exec';
import {
  type FakeGitHub,
  type GitHttpServer,
  git,
  seedRepo,
  startFakeGitHub,
  startGitHttpServer,
} from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// `orcha serve` itself, composed in-process exactly as the binary does it.
import { chooseBackends } from '../src/backends.js';
import { parseConfig } from '../src/config.js';
import { type RunningServer, startServer } from '../src/server.js';
import { api } from './harness.js';
import { eventually } from './until.js';

const token = 'ghp_serve_real_forge_token';
let gitServer: GitHttpServer;
let github: FakeGitHub;
let dataDir: string;
let repoUrl: string;
let server: RunningServer | null = null;

const ghOnPath = (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, 'gh')));

function serveConfig(extra: { githubUrl?: string; githubToken?: string }) {
  const config = parseConfig(
    [
      '--real-forge',
      '--agents',
      'fake',
      '--no-demo',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--schedule-interval',
      '100ms',
      '--feedback-interval',
      '60s',
    ],
    {},
  );
  // `--github-url` and the token come from the config module once it reads them; given directly here.
  return { ...config, ...extra };
}

beforeAll(async () => {
  gitServer = await startGitHttpServer({ token });
  github = await startFakeGitHub(gitServer, { token });
  dataDir = await mkdtemp(join(tmpdir(), 'orcha-serve-real-forge-'));
  repoUrl = await gitServer.createRepo('acme/app');
  const seed = join(dataDir, '..', `${dataDir.split('/').pop()}-seed`);
  await seedRepo(seed, gitServer.repoPath('acme/app'));
  await rm(seed, { recursive: true, force: true });
});

afterAll(async () => {
  await server?.close();
  await github?.stop();
  await gitServer?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('orcha serve --real-forge', () => {
  it('takes an objective from creation to two pull requests opened on GitHub from real checkouts', async () => {
    server = await startServer(serveConfig({ githubUrl: github.url, githubToken: token }));
    const created = await api(server, 'POST', '/api/objectives', {
      title: 'Add a health check',
      prompt: 'Add a /health endpoint and document it.',
      repo: repoUrl,
      base_branch: 'main',
    });
    expect(created.status).toBe(201);
    const objectiveId = created.body.objective.id as string;
    const question = await eventually(async () => {
      const open = await api(server!, 'GET', `/api/questions?objectiveId=${objectiveId}&status=open`);
      return open.body.questions[0] as { id: string } | undefined;
    }, 30_000);
    expect(
      (await api(server, 'POST', `/api/questions/${question.id}/answer`, { answer: 'feature flag' })).status,
    ).toBe(200);
    await eventually(
      async () =>
        (await api(server!, 'GET', `/api/objectives/${objectiveId}`)).body.objective.status === 'done',
      30_000,
    );

    const prs = (await api(server, 'GET', `/api/pull-requests?objectiveId=${objectiveId}`)).body
      .pullRequests as {
      number: number;
      branch: string;
      headSha: string;
      state: string;
      sessionId: string;
    }[];
    expect(prs).toHaveLength(2);
    const files: string[] = [];
    for (const pr of prs) {
      expect(pr.state).toBe('open');
      const onGitHub = (await fetch(`${github.url}/repos/acme/app/pulls/${pr.number}`, {
        headers: { authorization: `token ${token}` },
      }).then((response) => response.json())) as { state: string; head: { sha: string; ref: string } };
      expect(onGitHub).toMatchObject({ state: 'open', head: { ref: pr.branch, sha: pr.headSha } });
      const bare = gitServer.repoPath('acme/app');
      expect((await git(['rev-parse', `refs/heads/${pr.branch}`], { cwd: bare })).trim()).toBe(pr.headSha);
      // Each branch sits on the upstream main with the worker's commit on top: a real isolated checkout.
      expect((await git(['rev-list', '--count', `main..${pr.branch}`], { cwd: bare })).trim()).toBe('1');
      files.push(
        ...(await git(['diff', '--name-only', `main...${pr.branch}`], { cwd: bare })).trim().split('\n'),
      );
      const { workspace } = (await api(server, 'GET', `/api/sessions/${pr.sessionId}`)).body;
      expect(workspace).toMatchObject({ kind: 'isolated', branch: pr.branch, status: 'ready' });
      expect(existsSync(join(workspace.path, '.git'))).toBe(true);
    }
    expect(files.sort()).toEqual(['CHANGE.md', 'DOCS.md']);
    // The token went to git on stdin only: nothing under the data dir holds it.
    const leaked = await createLocalExecutor().run('grep', ['-rl', token, dataDir]);
    expect(leaked.stdout).toBe('');
  });

  it.skipIf(ghOnPath)('refuses to start without a GitHub token, saying where to put one', async () => {
    const log = () => {};
    await expect(chooseBackends(serveConfig({ githubUrl: github.url }), log)).rejects.toThrow(
      /--real-forge needs a GitHub token: set GITHUB_TOKEN/,
    );
  });
});
