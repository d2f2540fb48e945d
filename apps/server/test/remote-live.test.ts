import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createLocalExecutor } from '@orcha/exec';
import { createGitHubForge } from '@orcha/forge-github';
import { createIdGenerator } from '@orcha/model';
import { createTempDir } from '@orcha/testkit';
import { createGitPreparer } from '@orcha/workspace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './harness.js';
import { createRemoteFakeProvider } from './remote-agents.js';
import { processTag, type RemoteHarness, remoteProcesses, startRemoteHarness } from './remote-harness.js';

// Opt-in tests against real machines and GitHub; they never run in CI unless asked for.
const sshHost = process.env.ORCHA_SSH_TEST_HOST; // user@host[:port], reachable with key-based login
const sshIdentity = process.env.ORCHA_SSH_TEST_IDENTITY; // optional; default ~/.ssh/id_ed25519, id_ecdsa, id_rsa
const ghRepo = process.env.ORCHA_GH_LIVE; // owner/name of a scratch repository the token may push to
const ghToken = process.env.GITHUB_TOKEN ?? process.env.GH_TOKEN;

describe.skipIf(!sshHost)('live SSH target (set ORCHA_SSH_TEST_HOST=user@host[:port] to run)', () => {
  let harness: RemoteHarness;
  const [, user = '', host = '', port = '22'] = /^([^@]+)@([^:]+)(?::(\d+))?$/.exec(sshHost ?? '') ?? [];
  const workRoot = join('/tmp', `orcha-live-${randomBytes(4).toString('hex')}`);

  beforeAll(async () => {
    harness = await startRemoteHarness({
      providers: { fake: createRemoteFakeProvider() },
      // Like `orcha serve`: hosts the user already trusts with ssh are trusted.
      extraKnownHostsFiles: [join(homedir(), '.ssh', 'known_hosts')],
      defaultIdentityFiles: ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((name) => join(homedir(), '.ssh', name)),
    });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('registers the machine, runs a session there and cancels a remote process group', async () => {
    const registered = await api(harness, 'POST', '/api/targets', {
      name: 'live',
      kind: 'ssh',
      host,
      user,
      port: Number(port),
      ...(sshIdentity ? { identity_file: sshIdentity } : {}),
      work_root: workRoot,
      capacity_sessions: 2,
    });
    expect(registered.status).toBe(201);
    const connectivity = registered.body.doctor.checks.find(
      (check: { name: string }) => check.name === 'connectivity',
    );
    expect(connectivity, JSON.stringify(registered.body.doctor, null, 2)).toMatchObject({ ok: true });
    expect(registered.body.target.status, JSON.stringify(registered.body.doctor, null, 2)).toBe('online');
    const tag = processTag('live');
    const created = await api(harness, 'POST', '/api/objectives', {
      title: 'live remote',
      prompt: JSON.stringify({
        spawn: [
          { title: 'Sleep', prompt: 'sleep 1', target: 'live', workspace: 'scratch' },
          { title: 'Hang', prompt: `hang ${tag}`, target: 'live', workspace: 'scratch' },
        ],
      }),
    });
    const objectiveId = created.body.objective.id as string;
    const find = (title: string) =>
      harness.store.listSessions({ objectiveId }).find((session) => session.title === title);
    await harness.until(() => find('Sleep')?.status === 'completed', 60_000);
    const remote = harness.orchestrator.store.getTarget('live');
    expect(find('Sleep')!.targetId).toBe(remote.id);
    await harness.until(() => find('Hang')?.status === 'running', 60_000);
    const executor = harness.executorOf('live');
    const deadline = Date.now() + 30_000;
    while ((await remoteProcesses(executor, tag)).length === 0) {
      if (Date.now() > deadline) throw new Error('the remote process never started');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await api(harness, 'POST', `/api/sessions/${find('Hang')!.id}/cancel`, {});
    await harness.until(() => find('Hang')?.status === 'canceled');
    const gone = Date.now() + 30_000;
    while ((await remoteProcesses(executor, tag)).length > 0) {
      if (Date.now() > gone) throw new Error('the remote process group survived the cancel');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await api(harness, 'POST', `/api/objectives/${objectiveId}/cancel`, {});
    await executor.run('rm', ['-rf', workRoot]);
  }, 180_000);
});

describe.skipIf(!ghRepo || !ghToken)(
  'live GitHub (set ORCHA_GH_LIVE=owner/name of a scratch repository and GITHUB_TOKEN to run)',
  () => {
    it('checks out the repository, pushes a branch, opens a pull request and reads it back', async () => {
      const temp = await createTempDir('orcha-gh-live-');
      const executor = createLocalExecutor();
      const token = ghToken!;
      const preparer = createGitPreparer({
        cloneUrl: (repo) => `https://github.com/${repo}.git`,
        token: (url) => (url.startsWith('https://github.com/') ? token : null),
      });
      const forge = createGitHubForge({ token });
      const branch = `orcha/live-${randomBytes(4).toString('hex')}`;
      const [owner, name] = ghRepo!.split('/');
      const rest = (method: string, path: string, body?: unknown) =>
        fetch(`https://api.github.com/repos/${owner}/${name}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      let number: number | null = null;
      try {
        const defaultBranch = ((await (await rest('GET', '')).json()) as { default_branch: string })
          .default_branch;
        const workspace = await preparer.prepare({
          executor,
          workRoot: join(temp.path, 'work'),
          sessionId: createIdGenerator(Date.now, () => Math.floor(Math.random() * 32))('session'),
          kind: 'isolated',
          repo: ghRepo!,
          baseBranch: defaultBranch,
          branch,
        });
        await executor.run('sh', ['-c', 'date > orcha-live.txt'], { cwd: workspace.path });
        await executor.run('git', ['add', 'orcha-live.txt'], { cwd: workspace.path });
        const identity = ['-c', 'user.name=orcha live test', '-c', 'user.email=orcha@example.invalid'];
        await executor.run('git', [...identity, 'commit', '--quiet', '-m', 'orcha live test'], {
          cwd: workspace.path,
        });
        const pushed = await forge.pushBranch({
          executor,
          cwd: workspace.path,
          repo: ghRepo!,
          branch,
          force: false,
        });
        const opened = await forge.openPullRequest({
          repo: ghRepo!,
          branch,
          baseBranch: defaultBranch,
          title: 'orcha live test (closed automatically)',
          body: 'Opened and closed by orcha live tests.',
        });
        number = opened.number;
        expect(opened.headSha).toBe(pushed.headSha);
        expect((await forge.getPullRequest({ repo: ghRepo!, number })).state).toBe('open');
      } finally {
        if (number !== null) await rest('PATCH', `/pulls/${number}`, { state: 'closed' });
        await rest('DELETE', `/git/refs/heads/${branch}`);
        await temp.remove();
      }
    }, 180_000);
  },
);
