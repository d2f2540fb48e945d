import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createFakeProvider, type FakeScript } from '@orcha/agent';
import {
  createTempDir,
  type FakeGitHub,
  type GitHttpServer,
  git,
  seedRepo,
  startFakeGitHub,
  startGitHttpServer,
  type TempDir,
} from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { type RunningServer, startServer } from '../src/server.js';
import { api, eventsOf } from './harness.js';
import { byRole, untilWorkersEnd } from './scripts.js';
import { until } from './until.js';

// The loop from objective to pull request with `--real-forge` (git over HTTP, GitHub's REST API on
// loopback), scripted agents standing in for the model: orcha resolves the base branch, commits what the
// worker leaves, and never opens an empty pull request.
const token = 'ghp_real_loop_token';
let gitServer: GitHttpServer;
let github: FakeGitHub;
let dir: TempDir;
let repoUrl: string;
let server: RunningServer;
const systemPrompts = { manager: '', worker: '' };

/** The manager: one worker, then publish its work, and end with what publish_pr answered. */
const manager: FakeScript = async (agent) => {
  systemPrompts.manager = agent.spec.systemPrompt ?? '';
  await agent.callTool('spawn_session', { title: 'Say hello', prompt: agent.prompt });
  const [worker] = await untilWorkersEnd(agent);
  try {
    const pr = (await agent.callTool('publish_pr', {
      sessionId: worker!.id,
      title: 'Say hello',
      body: 'Adds hello.txt',
    })) as { id: string; number: number };
    // Nothing new since: an update is refused as well.
    const again = await agent.callTool('update_pr', { pullRequestId: pr.id }).then(
      () => 'pushed',
      (error: Error) => error.message,
    );
    await agent.callTool('mark_objective_done', { summary: `opened #${pr.number}; update: ${again}` });
  } catch (error) {
    await agent.callTool('mark_objective_done', {
      summary: `nothing published: ${(error as Error).message}`,
    });
  }
  return 'done';
};

/** The worker edits a file and stops without committing, as real models do; or changes nothing. */
const worker: FakeScript = async (agent) => {
  systemPrompts.worker = agent.spec.systemPrompt ?? '';
  if (agent.prompt.includes('change nothing')) return 'there was nothing to change';
  await agent.writeFile('hello.txt', 'hello from the worker\n');
  if (agent.prompt.includes('commit it yourself')) {
    await agent.run('git', ['add', 'hello.txt']);
    const committed = await agent.run('git', [
      ...['-c', 'user.name=Worker', '-c', 'user.email=worker@orcha.invalid'],
      ...['commit', '--quiet', '-m', 'The worker commits'],
    ]);
    if (committed.code !== 0) agent.fail(`git commit: ${committed.stderr}`);
  }
  return 'wrote hello.txt';
};

beforeAll(async () => {
  gitServer = await startGitHttpServer({ token });
  github = await startFakeGitHub(gitServer, { token });
  dir = await createTempDir('orcha-real-loop-');
  repoUrl = await gitServer.createRepo('acme/app');
  await seedRepo(join(dir.path, 'seed'), gitServer.repoPath('acme/app'), {
    files: { 'README.md': 'app\n', '.gitignore': '*.log\n' },
  });
  // The repository's default branch is not `main`: nothing may assume it.
  await git(['branch', '-m', 'main', 'trunk'], { cwd: gitServer.repoPath('acme/app') });
  await rm(join(dir.path, 'seed'), { recursive: true, force: true });
  const config = parseConfig(
    [
      '--real-forge',
      '--agents',
      'fake',
      '--no-demo',
      '--port',
      '0',
      '--data-dir',
      join(dir.path, 'data'),
      '--schedule-interval',
      '100ms',
      '--feedback-interval',
      '60s',
      '--git-name',
      'Loop Bot',
      '--git-email',
      'loop@orcha.invalid',
    ],
    {},
  );
  server = await startServer(
    { ...config, githubUrl: github.url, githubToken: token },
    { providers: { fake: createFakeProvider({ script: byRole({ manager, worker }) }) } },
  );
});

afterAll(async () => {
  await server?.close();
  await github?.stop();
  await gitServer?.stop();
  await dir?.remove();
});

const objectiveDone = (objectiveId: string) =>
  until(server.orchestrator.store, () => {
    const objective = server.orchestrator.store.getObjective(objectiveId);
    return objective.status === 'done' && objective;
  });

describe('the real loop with --real-forge', () => {
  it('resolves the default branch, commits what the worker left, and opens a pull request holding it', async () => {
    const created = await api(server, 'POST', '/api/objectives', {
      title: 'Say hello',
      prompt: 'write hello',
      repo: repoUrl,
    });
    expect(created.status).toBe(201);
    expect(created.body.objective.baseBranch).toBe('trunk');
    const objective = await objectiveDone(created.body.objective.id);
    expect(objective.summary).toMatch(/^opened #\d+; update: .*the worker made no changes/);

    const { store } = server.orchestrator;
    const [pr] = store.listPullRequests({ objectiveId: objective.id });
    expect(pr).toMatchObject({ baseBranch: 'trunk', state: 'open' });
    const bare = gitServer.repoPath('acme/app');
    expect((await git(['rev-parse', `refs/heads/${pr!.branch}`], { cwd: bare })).trim()).toBe(pr!.headSha);
    expect(await git(['show', `${pr!.branch}:hello.txt`], { cwd: bare })).toBe('hello from the worker\n');
    expect((await git(['rev-list', '--count', `trunk..${pr!.branch}`], { cwd: bare })).trim()).toBe('1');
    const commit = await git(['log', '-1', '--format=%an <%ae>|%cn <%ce>|%s%n%b', pr!.branch], { cwd: bare });
    expect(commit.trim()).toBe(
      'Loop Bot <loop@orcha.invalid>|Loop Bot <loop@orcha.invalid>|Say hello\nwrote hello.txt',
    );
    const onGitHub = (await fetch(`${github.url}/repos/acme/app/pulls/${pr!.number}`, {
      headers: { authorization: `token ${token}` },
    }).then((response) => response.json())) as { base: { ref: string }; head: { sha: string } };
    expect(onGitHub).toMatchObject({ base: { ref: 'trunk' }, head: { sha: pr!.headSha } });

    // The commit is in the worker's transcript and in the feed.
    const workerId = pr!.sessionId!;
    const said = store.listMessages(workerId, { after: 0, limit: 500 }).filter((m) => m.kind === 'system');
    expect(said.some((m) => m.text.startsWith('orcha committed 1 file'))).toBe(true);
    expect(eventsOf(store, 'workspace-commit')).toContainEqual(
      expect.objectContaining({ sessionId: workerId, sha: pr!.headSha, files: 1 }),
    );

    // Told where they work and how publishing works.
    const workspace = store.getWorkspace(store.getSession(workerId).workspaceId!);
    expect(systemPrompts.worker).toContain(`You work in ${workspace.path}`);
    expect(systemPrompts.worker).toContain(`on the branch ${pr!.branch}, started from trunk`);
    expect(systemPrompts.worker).toContain('This branch becomes a pull request.');
    expect(systemPrompts.worker).toMatch(/commit your work/);
    expect(systemPrompts.manager).toContain('base branch trunk');
    expect(systemPrompts.manager).toMatch(/publish_pr .*one pull request per worker/);
    expect(systemPrompts.manager).toMatch(/made no changes.*do not report/);
  });

  it('leaves a worker that commits alone: its own commit is the pull request', async () => {
    const created = await api(server, 'POST', '/api/objectives', {
      title: 'Say hello',
      prompt: 'write hello and commit it yourself',
      repo: repoUrl,
    });
    const objective = await objectiveDone(created.body.objective.id);
    const { store } = server.orchestrator;
    const [pr] = store.listPullRequests({ objectiveId: objective.id });
    const bare = gitServer.repoPath('acme/app');
    expect(await git(['log', '--format=%an|%s', `trunk..${pr!.branch}`], { cwd: bare })).toBe(
      'Worker|The worker commits\n',
    );
    expect(eventsOf(store, 'workspace-commit').map((event) => event.sessionId)).not.toContain(pr!.sessionId);
  });

  it('tells the manager the worker made no changes, and opens no pull request', async () => {
    const pullsBefore = github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/pulls'));
    const created = await api(server, 'POST', '/api/objectives', {
      title: 'Nothing to do',
      prompt: 'change nothing',
      repo: repoUrl,
    });
    expect(created.status).toBe(201);
    const objective = await objectiveDone(created.body.objective.id);
    const { store } = server.orchestrator;
    expect(objective.summary).toMatch(/nothing published: .*the worker made no changes/);
    expect(store.listPullRequests({ objectiveId: objective.id })).toEqual([]);
    const pullsAfter = github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/pulls'));
    expect(pullsAfter).toHaveLength(pullsBefore.length);
    const [worker] = store.listSessions({ objectiveId: objective.id, role: 'worker' });
    const branch = store.getWorkspace(worker!.workspaceId!).branch!;
    expect(await git(['branch', '--list', branch], { cwd: gitServer.repoPath('acme/app') })).toBe('');
  });

  it('refuses an objective on a repository the forge cannot see, and creates nothing', async () => {
    const before = server.orchestrator.store.listObjectives().length;
    const refused = await api(server, 'POST', '/api/objectives', {
      title: 'Nowhere',
      prompt: 'p',
      repo: `${gitServer.url}/acme/missing.git`,
    });
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe('not_found');
    expect(refused.body.error.message).toMatch(/no repository .*acme\/missing/);
    expect(server.orchestrator.store.listObjectives()).toHaveLength(before);
  });
});
