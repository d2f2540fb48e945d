import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Test-only imports of backends the API package does not depend on.
import { createTmuxProvider } from '@orcha/agent-tmux';
import type { SshExecutor } from '@orcha/exec-ssh';
import { createGitHubForge } from '@orcha/forge-github';
import type { OrchaEvent } from '@orcha/model';
import {
  commitFile,
  type FakeGitHub,
  type GitHttpServer,
  git,
  type LoopbackSshd,
  seedRepo,
  startFakeGitHub,
  startGitHttpServer,
  startSshd,
} from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './harness.js';
import { createRemoteFakeProvider, type Plan } from './remote-agents.js';
import { processTag, type RemoteHarness, remoteProcesses, startRemoteHarness } from './remote-harness.js';
import { eventually } from './until.js';

const token = 'ghp_remote_test_token';
const tmuxSocket = processTag('tmux');

let a: LoopbackSshd;
let b: LoopbackSshd;
let gitServer: GitHttpServer;
let github: FakeGitHub;
let harness: RemoteHarness;
let onA: SshExecutor;
let onB: SshExecutor;
let scratch: string;
let repoUrl: string;

async function startObjective(title: string, plan: Plan, repo?: string) {
  const created = await api(harness, 'POST', '/api/objectives', {
    title,
    prompt: JSON.stringify(plan),
    ...(repo ? { repo, base_branch: 'main' } : {}),
  });
  expect(created.status).toBe(201);
  return created.body.objective.id as string;
}

const workers = (objectiveId: string) =>
  harness.store.listSessions({ objectiveId }).filter((session) => session.role === 'worker');
const worker = (objectiveId: string, title: string) =>
  workers(objectiveId).find((session) => session.title === title);
const transcript = (sessionId: string) =>
  harness.store
    .listMessages(sessionId, { after: 0, limit: 1_000 })
    .map((message) => message.text)
    .join('');
const managerOf = (objectiveId: string) =>
  harness.store.listSessions({ objectiveId }).find((session) => session.role === 'manager')!;

async function endObjective(objectiveId: string) {
  if (harness.store.getObjective(objectiveId).status === 'active')
    await api(harness, 'POST', `/api/objectives/${objectiveId}/cancel`, {});
}

beforeAll(async () => {
  [a, b, gitServer] = await Promise.all([startSshd(), startSshd(), startGitHttpServer({ token })]);
  github = await startFakeGitHub(gitServer, { token });
  scratch = await mkdtemp(join(tmpdir(), 'orcha-remote-upstream-'));
  repoUrl = await gitServer.createRepo('acme/app');
  await seedRepo(join(scratch, 'seed'), gitServer.repoPath('acme/app'));

  const tmux = createTmuxProvider({
    name: 'tmux',
    socketName: tmuxSocket,
    typePrompt: false,
    command: () => [
      'sh',
      '-c',
      `for i in 1 2 3 4 5 6 7 8; do echo "tick-$i"; sleep 0.4; done; echo ticked; sleep 1000; : ${tmuxSocket}`,
    ],
  });
  harness = await startRemoteHarness({
    providers: { fake: createRemoteFakeProvider(), tmux },
    forge: createGitHubForge({ token, baseUrl: github.url }),
    git: { token: (url) => (url.startsWith(gitServer.url) ? token : null) },
  });
  await harness.trust(a);
  await harness.trust(b);
  const [registeredA, registeredB] = await Promise.all([
    harness.register(a, 'box-a', { capacity: 3 }),
    harness.register(b, 'box-b', { capacity: 2 }),
  ]);
  expect(registeredA.status).toBe(201);
  expect(registeredA.body.target.status).toBe('online');
  expect(registeredB.body.target.status).toBe('online');
  onA = harness.inspect(a);
  onB = harness.inspect(b);
});

afterAll(async () => {
  await onB?.run('tmux', ['-L', tmuxSocket, 'kill-server']).catch(() => {});
  await harness?.close();
  await Promise.all([a?.stop(), b?.stop()]);
  await github?.stop();
  await gitServer?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('sessions on SSH targets', () => {
  it('runs a pinned tmux agent remotely: live transcript, ssh attach command, cancel kills the pane', async () => {
    const objectiveId = await startObjective('stream remotely', {
      spawn: [{ title: 'Stream', prompt: 'stream', agent: 'tmux', target: 'box-b', workspace: 'scratch' }],
    });
    const streaming = await harness.until(() => {
      const session = worker(objectiveId, 'Stream');
      return session && transcript(session.id).includes('tick-1') && session;
    });
    // Output arrives while the remote program still runs: streamed, not collected at its end.
    expect(transcript(streaming.id)).not.toContain('ticked');
    const session = harness.store.getSession(streaming.id);
    expect(session.status).toBe('running');
    expect(harness.store.getTarget(session.targetId!).name).toBe('box-b');
    expect(session.attachCommand).toBe(
      `ssh -t -p ${b.port} ${b.user}@127.0.0.1 tmux -L ${tmuxSocket} attach -t orcha-${session.id}`,
    );
    expect((await onB.run('tmux', ['-L', tmuxSocket, 'has-session', '-t', `orcha-${session.id}`])).code).toBe(
      0,
    );
    await harness.until(() => transcript(session.id).includes('tick-3'));

    const canceled = await api(harness, 'POST', `/api/sessions/${session.id}/cancel`, { reason: 'test' });
    expect(canceled.status).toBe(200);
    await harness.until(() => harness.store.getSession(session.id).status === 'canceled');
    await eventually(async () => (await remoteProcesses(onB, tmuxSocket)).length === 0);
    expect(
      (await onB.run('tmux', ['-L', tmuxSocket, 'has-session', '-t', `orcha-${session.id}`])).code,
    ).not.toBe(0);
    await endObjective(objectiveId);
  });

  it('cancels a headless remote worker: its whole remote process group is gone', async () => {
    const tag = processTag('hang');
    const objectiveId = await startObjective('hang remotely', {
      spawn: [{ title: 'Hang', prompt: `hang ${tag}`, target: 'box-a', workspace: 'scratch' }],
    });
    const [pid] = await eventually(async () => {
      const found = await remoteProcesses(onA, tag);
      return found.length > 0 && found;
    });
    const group = (await onA.run('ps', ['-o', 'pgid=', '-p', pid!])).stdout.trim();
    await eventually(
      async () => (await onA.run('pgrep', ['-g', group])).stdout.trim().split('\n').length >= 3,
    );
    const session = worker(objectiveId, 'Hang')!;
    expect(harness.store.getTarget(session.targetId!).name).toBe('box-a');
    await api(harness, 'POST', `/api/sessions/${session.id}/cancel`, {});
    await harness.until(() => harness.store.getSession(session.id).status === 'canceled');
    await eventually(async () => (await onA.run('pgrep', ['-g', group])).code === 1);
    expect(await remoteProcesses(onA, tag)).toEqual([]);
    await endObjective(objectiveId);
  });

  it('respects capacity across two targets; a draining target gets nothing new until enabled', async () => {
    const targets = Object.fromEntries(harness.store.listTargets().map((target) => [target.name, target.id]));
    const highest: Record<string, number> = {};
    const unsubscribe = harness.store.subscribe(() => {
      for (const [targetId, used] of Object.entries(harness.store.targetLoad()))
        highest[targetId] = Math.max(highest[targetId] ?? 0, used);
    });
    const waited = new Set<string>();
    const watch = harness.store.subscribe((events: OrchaEvent[]) => {
      for (const event of events)
        if (event.type === 'session-status-change' && event.to === 'waiting_capacity')
          waited.add(event.sessionId);
    });
    try {
      const objectiveId = await startObjective('fill two machines', {
        spawn: Array.from({ length: 6 }, (_, i) => ({
          title: `Sleep ${i}`,
          prompt: 'sleep 1',
          workspace: 'scratch',
        })),
      });
      await harness.until(
        () =>
          workers(objectiveId).length === 6 && workers(objectiveId).every((s) => s.status === 'completed'),
        30_000,
      );
      // box-a holds 3 and box-b 2 (the manager takes one of them): both full, never over.
      expect(highest[targets['box-a']!]).toBe(3);
      expect(highest[targets['box-b']!]).toBe(2);
      expect(waited.size).toBeGreaterThan(0);
      const placed = new Set(workers(objectiveId).map((session) => session.targetId));
      expect(placed).toEqual(new Set([targets['box-a'], targets['box-b']]));

      expect((await api(harness, 'POST', '/api/targets/box-b/drain', {})).body.target.status).toBe(
        'draining',
      );
      await api(harness, 'POST', `/api/sessions/${managerOf(objectiveId).id}/messages`, {
        text: `spawn ${JSON.stringify([
          { title: 'After drain 1', prompt: 'sleep 0.2', workspace: 'scratch' },
          { title: 'After drain 2', prompt: 'sleep 0.2', workspace: 'scratch' },
          { title: 'Pinned to drained', prompt: 'sleep 0.2', target: 'box-b', workspace: 'scratch' },
        ])}`,
      });
      await harness.until(
        () =>
          ['After drain 1', 'After drain 2'].every(
            (title) => worker(objectiveId, title)?.status === 'completed',
          ) && worker(objectiveId, 'Pinned to drained')?.status === 'waiting_capacity',
      );
      expect(worker(objectiveId, 'After drain 1')!.targetId).toBe(targets['box-a']);
      expect(worker(objectiveId, 'After drain 2')!.targetId).toBe(targets['box-a']);
      expect(worker(objectiveId, 'Pinned to drained')!.statusReason).toMatch(/box-b is draining/);

      expect((await api(harness, 'POST', '/api/targets/box-b/enable', {})).body.target.status).toBe('online');
      await harness.until(() => worker(objectiveId, 'Pinned to drained')?.status === 'completed');
      expect(worker(objectiveId, 'Pinned to drained')!.targetId).toBe(targets['box-b']);
      await endObjective(objectiveId);
    } finally {
      unsubscribe();
      watch();
    }
  });

  it('prepares remote checkouts fresh from upstream, publishes a pull request from the SSH target, then cleans up', async () => {
    const objectiveId = await startObjective(
      'feature from a remote box',
      {
        spawn: [{ title: 'Add feature', prompt: 'commit FEATURE.md', target: 'box-a' }],
        publish: ['Add feature'],
      },
      repoUrl,
    );
    const pr = await harness.until(() => harness.store.listPullRequests({ objectiveId })[0], 30_000);
    const first = worker(objectiveId, 'Add feature')!;
    const workspace = harness.store.getWorkspace(first.workspaceId!);
    const workRoot = harness.store.getTarget('box-a').workRoot;
    expect(workspace.targetId).toBe(harness.store.getTarget('box-a').id);
    expect(workspace.path.startsWith(`${workRoot}/sessions/`)).toBe(true);
    // The commit was made on the remote box and pushed from there to the git host, then opened on GitHub.
    const remoteHead = (await onA.run('git', ['rev-parse', 'HEAD'], { cwd: workspace.path })).stdout.trim();
    const pushed = (
      await git(['rev-parse', `refs/heads/${pr.branch}`], { cwd: gitServer.repoPath('acme/app') })
    ).trim();
    expect(pushed).toBe(remoteHead);
    expect(pr.headSha).toBe(remoteHead);
    const onGitHub = await fetch(`${github.url}/repos/acme/app/pulls/${pr.number}`, {
      headers: { authorization: `token ${token}` },
    }).then((response) => response.json() as Promise<{ state: string; head: { ref: string; sha: string } }>);
    expect(onGitHub).toMatchObject({ state: 'open', head: { ref: pr.branch, sha: remoteHead } });
    const mirrors = await onA.run('ls', [`${workRoot}/mirrors`]);
    expect(mirrors.stdout.trim()).not.toBe('');

    // Upstream moves on after the mirror was made: the next remote checkout starts from the new commit.
    const later = join(scratch, 'later');
    await git(['clone', '--quiet', gitServer.repoPath('acme/app'), later]);
    const latest = await commitFile(later, 'LATER.md', 'pushed after the mirror\n', 'later');
    await git(['push', '--quiet', 'origin', 'HEAD:main'], { cwd: later });
    const manager = managerOf(objectiveId);
    await api(harness, 'POST', `/api/sessions/${manager.id}/messages`, {
      text: `spawn ${JSON.stringify([{ title: 'Check head', prompt: 'head', target: 'box-a' }])}`,
    });
    const checked = await harness.until(() => {
      const session = worker(objectiveId, 'Check head');
      return session?.status === 'completed' && session;
    });
    expect(checked.result).toBe(`head ${latest}`);

    // Done: finished workspaces go by themselves; the one behind the open pull request stays until it merges.
    await api(harness, 'POST', `/api/sessions/${manager.id}/messages`, { text: 'finish' });
    await harness.until(() => harness.store.getObjective(objectiveId).status === 'done');
    const checkedPath = harness.store.getWorkspace(checked.workspaceId!).path;
    await harness.until(() => harness.store.getWorkspace(checked.workspaceId!).status === 'removed');
    expect((await onA.run('test', ['-e', checkedPath])).code).toBe(1);
    expect(harness.store.getWorkspace(first.workspaceId!).status).toBe('ready');
    expect((await onA.run('test', ['-d', workspace.path])).code).toBe(0);
    // The disk the target's work root takes is on its doctor report.
    const doctor = await api(harness, 'POST', '/api/targets/box-a/doctor', {});
    const disk = doctor.body.doctor.checks.find((check: { name: string }) => check.name === 'disk');
    expect(disk.detail).toMatch(/uses \d+(\.\d)? [KMG]iB; .* free; [1-9]\d* workspaces kept/);

    await github.control.merge('acme/app', pr.number);
    await harness.orchestrator.pollFeedback();
    expect(harness.store.getPullRequest(pr.id).state).toBe('merged');
    await harness.until(() => harness.store.getWorkspace(first.workspaceId!).status === 'removed');
    expect((await onA.run('test', ['-e', workspace.path])).code).toBe(1);
  });
});
