import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runDoctor } from '@orcha/core';
import { createLocalExecutor } from '@orcha/exec';
import { createSshExecutor, type SshExecutor } from '@orcha/exec-ssh';
import {
  type AnthropicBlock,
  type AnthropicRequest,
  anthropicReply,
  type ClaudeCliEnvironment,
  claudeCliPath,
  createClaudeCliEnvironment,
  createTempDir,
  type FakeAnthropic,
  type FakeGitHub,
  type GitHttpServer,
  git,
  type LoopbackSshd,
  pendingToolResults,
  seedRepo,
  startFakeAnthropic,
  startFakeGitHub,
  startGitHttpServer,
  startSshd,
  type TempDir,
} from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { type RunningServer, startServer } from '../src/server.js';
import { api } from './harness.js';
import { eventually } from './until.js';

// The real `claude` CLI as manager (here) and as worker on an SSH target whose sessions live in a network
// namespace of their own: from there, orcha's port cannot be reached except through the reverse tunnel
// orcha's connection carries. The fake model and the git remote are forwarded in by the test's own SSH
// connection (on the same port numbers), as a real remote would reach the model's API and the forge.

const token = 'ghp_remote_reach_token';
const apiKey = 'sk-ant-api03-remote-reach-secret';
let dir: TempDir;
let anthropic: FakeAnthropic;
let claudeHome: ClaudeCliEnvironment;
let gitServer: GitHttpServer;
let github: FakeGitHub;
let sshd: LoopbackSshd;
/** The test's own connection to the target: forwards the model and the git remote, and looks around. */
let inspect: SshExecutor;
let server: RunningServer | null = null;
let repoUrl: string;

const toolUses = (request: AnthropicRequest): string[] =>
  request.messages
    .filter((message) => message.role === 'assistant' && typeof message.content !== 'string')
    .flatMap((message) => (message.content as AnthropicBlock[]).filter((block) => block.type === 'tool_use'))
    .map((block) => String(block.name));

/** The manager spawns one worker on the remote box, publishes its branch once it completes, and ends. */
function managerModel(request: AnthropicRequest) {
  const called = toolUses(request);
  const results = pendingToolResults(request);
  if (results.length > 0) {
    const last = called.at(-1);
    if (last === 'mcp__orcha__publish_pr') {
      // A model reads the tool's answer: after a failed publish it tries once more, then says why it stopped.
      if (!results.some((result) => result.is_error))
        return anthropicReply.toolUse('mcp__orcha__mark_objective_done', { summary: 'hello.txt is in a PR' });
      const failure = JSON.stringify(results);
      console.warn(`publish_pr failed: ${failure}`);
      const attempts = called.filter((name) => name === 'mcp__orcha__publish_pr').length;
      if (attempts < 2) return publishWorker(request);
      return anthropicReply.text(`Could not publish: ${failure}`);
    }
    return anthropicReply.text(last === 'mcp__orcha__spawn_session' ? 'Waiting for the worker.' : 'Done.');
  }
  if (finishedWorker(request) && !called.includes('mcp__orcha__publish_pr')) return publishWorker(request);
  if (called.length === 0)
    return anthropicReply.toolUse('mcp__orcha__spawn_session', {
      title: 'Write hello.txt',
      prompt: 'Write hello.txt saying hello, and commit it.',
      agent: 'claude',
      target: 'remote-box',
      workspace: 'isolated',
    });
  return anthropicReply.text('Noted.');
}

/** The worker named by orcha's "Worker … completed" message in the conversation, if any. */
function finishedWorker(request: AnthropicRequest): string | null {
  const texts = request.messages
    .filter((message) => message.role === 'user')
    .map((message) =>
      typeof message.content === 'string'
        ? message.content
        : (message.content as AnthropicBlock[]).map((block) => String(block.text ?? '')).join('\n'),
    );
  for (const text of texts.reverse()) {
    const finished = /Worker (ses_\S+) "[^"]*" completed/.exec(text);
    if (finished) return finished[1]!;
  }
  return null;
}

function publishWorker(request: AnthropicRequest) {
  return anthropicReply.toolUse('mcp__orcha__publish_pr', {
    sessionId: finishedWorker(request),
    title: 'Say hello from the remote box',
  });
}

/** The worker edits with Claude Code's own Bash tool, commits, leaves a note through orcha, and sums up. */
function workerModel(request: AnthropicRequest) {
  const called = toolUses(request);
  if (pendingToolResults(request).length > 0) {
    if (called.at(-1) === 'Bash')
      return anthropicReply.toolUse('mcp__orcha__create_note', {
        title: 'Greeting written',
        body: 'written on the remote box',
      });
    return anthropicReply.text('Wrote hello.txt and committed it.');
  }
  if (called.length > 0) return anthropicReply.text('Nothing more to do.');
  return anthropicReply.toolUse('Bash', {
    command:
      "printf 'hello from the remote box\\n' > hello.txt && git add hello.txt && git -c user.name=Worker -c user.email=worker@example.invalid commit -qm 'Add hello.txt'",
    description: 'Write and commit hello.txt',
  });
}

const portOf = (url: string) => Number(new URL(url).port);

beforeAll(async () => {
  dir = await createTempDir('orcha-remote-reach-');
  anthropic = await startFakeAnthropic({
    handler: (request) =>
      request.system.includes('You are the manager')
        ? managerModel(request)
        : request.system.includes('You are a worker')
          ? workerModel(request)
          : anthropicReply.text('ok'),
  });
  claudeHome = await createClaudeCliEnvironment({ baseUrl: anthropic.url });
  gitServer = await startGitHttpServer({ token });
  github = await startFakeGitHub(gitServer, { token });
  repoUrl = await gitServer.createRepo('acme/app');
  await seedRepo(join(dir.path, 'seed'), gitServer.repoPath('acme/app'));

  // The remote account: claude in ~/.local/bin, on the PATH of its login shell only; nothing about a model.
  const remoteHome = join(dir.path, 'remote-home');
  await mkdir(join(remoteHome, '.local', 'bin'), { recursive: true });
  await symlink(claudeCliPath, join(remoteHome, '.local', 'bin', 'claude'));
  await writeFile(join(remoteHome, '.profile'), 'PATH="$HOME/.local/bin:$PATH"; export PATH\n');
  sshd = await startSshd({ ownNetwork: true, environment: { HOME: remoteHome } });
  inspect = createSshExecutor(sshd.client);
  for (const url of [anthropic.url, gitServer.url])
    await inspect.reverseTunnel({ host: '127.0.0.1', port: portOf(url) }, { remotePort: portOf(url) });
}, 60_000);

afterAll(async () => {
  await server?.close();
  inspect?.close();
  await sshd?.stop();
  await Promise.all([anthropic?.stop(), github?.stop()]);
  await gitServer?.stop();
  await claudeHome?.remove();
  await dir?.remove();
});

/** orcha serve with real claude agents and the real forge; every model setting given through --agent-env. */
async function serve(): Promise<RunningServer> {
  const dataDir = join(dir.path, 'data');
  await mkdir(dataDir, { recursive: true });
  await writeFile(join(dataDir, 'known_hosts'), `${sshd.hostKeyLine}\n`, { mode: 0o600 });
  const settings = Object.entries(claudeHome.env)
    .filter(([name]) => name !== 'ANTHROPIC_API_KEY')
    .flatMap(([name, value]) => ['--agent-env', `claude:${name}=${value}`]);
  const localPath = `${join(dir.path, 'remote-home', '.local', 'bin')}:${process.env.PATH ?? ''}`;
  const config = parseConfig(
    [
      '--agents',
      'claude',
      '--real-forge',
      '--no-demo',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--schedule-interval',
      '200ms',
      '--feedback-interval',
      '60s',
      ...settings,
      // The secret by name only: its value comes from orcha's environment.
      '--agent-env',
      'claude:ANTHROPIC_API_KEY',
      '--agent-env',
      `claude@local:PATH=${localPath}`,
    ],
    { ANTHROPIC_API_KEY: apiKey, GITHUB_TOKEN: token },
  );
  return startServer({ ...config, githubUrl: github.url });
}

describe('agents on an SSH target reach orcha', () => {
  it('a remote claude worker gets its settings from orcha, calls create_note through the tunnel, and its change reaches the PR', async () => {
    // The account's own non-interactive environment has no model settings, and claude is not on its PATH.
    const account = await inspect.run('sh', ['-c', 'env; command -v claude || echo "no claude"']);
    expect(account.stdout).not.toMatch(/ANTHROPIC|CLAUDE_/);
    expect(account.stdout).toContain('no claude');

    server = await serve();
    const orchaPort = portOf(server.url);
    // From the target, orcha's own address leads nowhere: only the tunnel can carry a call.
    const probe = 'exec 3<>"/dev/tcp/127.0.0.1/$1" && echo connected';
    const direct = await inspect.run('bash', ['-c', probe, 'probe', String(orchaPort)]);
    expect(direct.stdout).not.toContain('connected');

    const registered = await api(server, 'POST', '/api/targets', {
      name: 'remote-box',
      kind: 'ssh',
      host: sshd.host,
      user: sshd.user,
      port: sshd.port,
      identity_file: sshd.identityFile,
      work_root: join(sshd.dir, 'work'),
      capacity_sessions: 1,
    });
    expect(registered.status).toBe(201);
    const checks = registered.body.doctor.checks as { name: string; ok: boolean; detail: string }[];
    const check = (name: string) => checks.find((entry) => entry.name === name);
    expect(registered.body.doctor.ok).toBe(true);
    expect(registered.body.doctor.loginPath).toContain(join(dir.path, 'remote-home', '.local', 'bin'));
    expect(check('claude')?.detail).toMatch(
      /\.local\/bin\/claude, \d+\.\d+\.\d+ \(Claude Code\), logged in \(api_key\)/,
    );
    // The tunnel took orcha's own port number on the target, which led nowhere there a moment ago.
    expect(check('tunnel to orcha')?.detail).toContain(
      `reach orcha at http://127.0.0.1:${orchaPort} (a reverse tunnel; HTTP 200)`,
    );
    expect((await inspect.run('bash', ['-c', probe, 'probe', String(orchaPort)])).stdout).toContain(
      'connected',
    );
    // Any user of the target can connect to that port: through it, only the agents' endpoints answer.
    const get =
      'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "GET %s HTTP/1.0\\r\\n\\r\\n" "$2" >&3 && head -n 1 <&3';
    const through = async (path: string) =>
      (await inspect.run('bash', ['-c', get, 'get', String(orchaPort), path])).stdout.trim();
    expect(await through('/api/objectives')).toMatch(/^HTTP\/1\.1 404/);
    expect(await through('/api/targets')).toMatch(/^HTTP\/1\.1 404/);
    expect(await through('/api/health')).toMatch(/^HTTP\/1\.1 200/);

    const created = await api(server, 'POST', '/api/objectives', {
      title: 'Say hello',
      prompt: 'Add a hello.txt saying hello.',
      repo: repoUrl,
      base_branch: 'main',
      agent: 'claude',
    });
    expect(created.status).toBe(201);
    const objectiveId = created.body.objective.id as string;
    const objective = await eventually(async () => {
      const detail = (await api(server!, 'GET', `/api/objectives/${objectiveId}`)).body;
      return detail.objective.status === 'done' ? detail : null;
    }, 150_000);

    const worker = (
      objective.sessions as { id: string; role: string; status: string; targetId: string }[]
    ).find((session) => session.role === 'worker')!;
    expect(worker.status).toBe('completed');
    expect(worker.targetId).toBe(registered.body.target.id);
    // The worker's note arrived over MCP: from inside the namespace, through the tunnel.
    expect(objective.notes).toEqual([
      expect.objectContaining({
        sessionId: worker.id,
        title: 'Greeting written',
        body: 'written on the remote box',
      }),
    ]);
    // Its model calls carried the key orcha passed (the account had none).
    const workerCalls = anthropic.requests.filter(
      (request) => !request.system.includes('You are the manager'),
    );
    expect(workerCalls.length).toBeGreaterThan(0);
    expect(workerCalls.every((request) => request.headers['x-api-key'] === apiKey)).toBe(true);

    const [pr] = objective.pullRequests as { branch: string; headSha: string; sessionId: string }[];
    expect(pr?.sessionId).toBe(worker.id);
    const bare = gitServer.repoPath('acme/app');
    expect((await git(['rev-parse', `refs/heads/${pr!.branch}`], { cwd: bare })).trim()).toBe(pr!.headSha);
    expect(await git(['show', `${pr!.branch}:hello.txt`], { cwd: bare })).toBe('hello from the remote box\n');
  }, 240_000);

  it('the doctor says in one line how to fix a CLI that is missing or logged out, and a missing tunnel; locally a logout only warns', async () => {
    const emptyHome = join(dir.path, 'empty-home');
    await mkdir(emptyHome, { recursive: true });
    const report = await runDoctor(
      inspect,
      { kind: 'ssh', workRoot: join(sshd.dir, 'doctor-work') },
      {
        now: Date.now(),
        agentCliRequired: true,
        tmuxRequired: true,
        agents: [
          { name: 'claude', env: { HOME: emptyHome } },
          { name: 'codex', env: {} },
        ],
        // Nothing listens behind this port on the target: no tunnel leads there.
        remote: { path: null, orchaUrl: async () => 'http://127.0.0.1:9' },
      },
    );
    const check = (name: string) => report.checks.find((entry) => entry.name === name);
    expect(report.ok).toBe(false);
    expect(report.loginPath).toContain('/.local/bin');
    expect(check('PATH')).toMatchObject({ ok: true, detail: expect.stringContaining("the login shell's") });
    expect(check('claude')).toMatchObject({
      ok: false,
      required: true,
      detail: expect.stringMatching(/claude, .*not logged in$/),
      fix: expect.stringContaining('--agent-env claude:ANTHROPIC_API_KEY'),
    });
    expect(check('codex')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('codex is not on the PATH agents get here'),
      fix: expect.stringContaining('npm i -g @openai/codex'),
    });
    expect(check('tunnel to orcha')).toMatchObject({
      ok: false,
      required: true,
      fix: expect.stringContaining('AllowTcpForwarding'),
    });
    for (const failed of report.checks.filter((entry) => !entry.ok)) expect(failed.fix).not.toContain('\n');

    // On orcha's own machine a logged-out CLI is a warning: its provider may carry settings of its own.
    const bin = join(dir.path, 'remote-home', '.local', 'bin');
    const local = await runDoctor(
      createLocalExecutor(),
      { kind: 'local', workRoot: join(dir.path, 'local-work') },
      {
        now: Date.now(),
        agentCliRequired: true,
        tmuxRequired: false,
        agents: [{ name: 'claude', env: { HOME: emptyHome, PATH: `${bin}:${process.env.PATH ?? ''}` } }],
      },
    );
    expect(local.checks.find((entry) => entry.name === 'claude')).toMatchObject({
      ok: false,
      required: false,
    });
    expect(local.ok).toBe(true);
  });
});
