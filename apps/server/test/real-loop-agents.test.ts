import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createClaudeProvider } from '@orcha/agent-claude';
import { createCodexProvider } from '@orcha/agent-codex';
import {
  type AnthropicBlock,
  type AnthropicRequest,
  anthropicReply,
  type ClaudeCliEnvironment,
  type CodexHome,
  claudeCliPath,
  codexCliPath,
  createClaudeCliEnvironment,
  createCodexHome,
  createTempDir,
  type FakeAnthropic,
  type FakeGitHub,
  type FakeOpenAI,
  type GitHttpServer,
  git,
  lastUserText,
  pendingToolResults,
  type ResponsesRequest,
  seedRepo,
  startFakeAnthropic,
  startFakeGitHub,
  startFakeOpenAI,
  startGitHttpServer,
  type TempDir,
  userTexts,
} from '@orcha/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { type RunningServer, startServer } from '../src/server.js';
import { api } from './harness.js';
import { until } from './until.js';

// The real loop with the real CLIs: `claude` as manager and as worker (or `codex` as worker) on scripted
// fake models, `--real-forge` against a git remote and GitHub's REST API on loopback. The worker edits a
// file with its own shell tool and never commits; orcha commits, pushes and opens the pull request.
const token = 'ghp_real_loop_agents_token';
let anthropic: FakeAnthropic;
let claudeHome: ClaudeCliEnvironment;
let openai: FakeOpenAI;
let codexHome: CodexHome;
let gitServer: GitHttpServer;
let github: FakeGitHub;
let dir: TempDir;
let repoUrl: string;
let server: RunningServer | null = null;

/** The tool a pending tool result answers, read from the assistant turn that called it. */
function answered(request: AnthropicRequest): { name: string; text: string; isError: boolean } | null {
  const [result] = pendingToolResults(request);
  if (!result) return null;
  const calls = request.messages
    .filter((message) => message.role === 'assistant' && Array.isArray(message.content))
    .flatMap((message) => message.content as AnthropicBlock[]);
  const call = calls.find((block) => block.type === 'tool_use' && block.id === result.tool_use_id);
  const text =
    typeof result.content === 'string'
      ? result.content
      : JSON.stringify(result.content ?? '').replaceAll('\\"', '"');
  return { name: call?.name ?? '', text, isError: result.is_error === true };
}

const isManager = (request: AnthropicRequest) =>
  request.system.includes('You are the manager of the objective');

/**
 * The manager's model: spawn one worker with the agent the objective names, publish its work when told it
 * finished, and mark the objective done with the pull request; a "no changes" answer is said, not hidden.
 */
function managerModel(request: AnthropicRequest) {
  const tool = answered(request);
  if (tool?.name === 'mcp__orcha__publish_pr') {
    if (tool.isError) return anthropicReply.text(`Nothing to publish: ${tool.text}`);
    return anthropicReply.toolUse('mcp__orcha__mark_objective_done', { summary: `published ${tool.text}` });
  }
  if (tool) return anthropicReply.text('Waiting for the worker.');
  const last = lastUserText(request) ?? '';
  const finished = /^Worker (ses_[0-9A-Za-z]+) /.exec(last);
  if (finished)
    return anthropicReply.toolUse('mcp__orcha__publish_pr', {
      sessionId: finished[1],
      title: 'Say hello',
      body: 'Adds hello.txt.',
    });
  const task = userTexts(request)[0] ?? '';
  return anthropicReply.toolUse('mcp__orcha__spawn_session', {
    title: 'Say hello',
    prompt: task.includes('change nothing') ? 'Look around; change nothing.' : 'Write hello.txt.',
    agent: /with codex/.test(task) ? 'codex' : 'claude',
  });
}

/** A claude worker's model: write the file with Claude Code's own Bash tool, never commit. */
function claudeWorkerModel(request: AnthropicRequest) {
  if (answered(request)) return anthropicReply.text('Wrote hello.txt.');
  if ((userTexts(request)[0] ?? '').includes('change nothing'))
    return anthropicReply.text('Everything is fine as it is; I changed nothing.');
  return anthropicReply.toolUse('Bash', {
    command: "printf 'hello from claude\\n' > hello.txt",
    description: 'Write hello.txt',
  });
}

/** Every request the fake Anthropic server gets; side requests without tools get a plain answer. */
function claudeModel(request: AnthropicRequest) {
  if (request.tools.length === 0) return anthropicReply.text('ok');
  return isManager(request) ? managerModel(request) : claudeWorkerModel(request);
}

/** A codex worker's model: write the file with codex's shell tool, never commit. */
function codexModel(request: ResponsesRequest) {
  if (request.toolOutputs.length > 0 || request.input.length === 0)
    return { kind: 'output' as const, items: [{ type: 'message' as const, text: 'Wrote hello.txt.' }] };
  return {
    kind: 'output' as const,
    items: [
      {
        type: 'function_call' as const,
        name: 'exec_command',
        arguments: { cmd: "printf 'hello from codex\\n' > hello.txt" },
      },
    ],
  };
}

beforeAll(async () => {
  anthropic = await startFakeAnthropic({ handler: claudeModel });
  claudeHome = await createClaudeCliEnvironment({ baseUrl: anthropic.url });
  openai = await startFakeOpenAI({ handler: codexModel });
  codexHome = await createCodexHome(openai);
  gitServer = await startGitHttpServer({ token });
  github = await startFakeGitHub(gitServer, { token });
  dir = await createTempDir('orcha-real-loop-agents-');
  repoUrl = await gitServer.createRepo('acme/app');
  await seedRepo(join(dir.path, 'seed'), gitServer.repoPath('acme/app'));
  await rm(join(dir.path, 'seed'), { recursive: true, force: true });
});

afterAll(async () => {
  await Promise.all([anthropic?.stop(), openai?.stop(), github?.stop(), gitServer?.stop()]);
  await Promise.all([claudeHome?.remove(), codexHome?.remove(), dir?.remove()]);
});

afterEach(async () => {
  await server?.close();
  server = null;
});

async function serve(name: string) {
  const config = parseConfig(
    [
      '--real-forge',
      '--no-demo',
      '--port',
      '0',
      '--data-dir',
      join(dir.path, name),
      '--schedule-interval',
      '200ms',
      '--feedback-interval',
      '60s',
    ],
    {},
  );
  server = await startServer(
    { ...config, githubUrl: github.url, githubToken: token },
    {
      providers: {
        claude: createClaudeProvider({ command: claudeCliPath, env: claudeHome.env }),
        codex: createCodexProvider({
          command: codexCliPath,
          env: codexHome.env,
          config: codexHome.config as never,
          model: codexHome.model,
        }),
      },
    },
  );
  return server;
}

/** Creates the objective the way a person does: a repo, no base branch. */
async function objective(running: RunningServer, prompt: string) {
  const created = await api(running, 'POST', '/api/objectives', {
    title: 'Say hello',
    prompt,
    repo: repoUrl,
    agent: 'claude',
  });
  expect(created.status).toBe(201);
  expect(created.body.objective.baseBranch).toBe('main');
  return created.body.objective.id as string;
}

/** The pull request of an objective that reached done, checked against the git remote and GitHub. */
async function publishedChange(running: RunningServer, objectiveId: string) {
  const { store } = running.orchestrator;
  await until(store, () => store.getObjective(objectiveId).status === 'done', { timeoutMs: 150_000 });
  const [pr] = store.listPullRequests({ objectiveId });
  expect(pr).toMatchObject({ baseBranch: 'main', state: 'open' });
  const bare = gitServer.repoPath('acme/app');
  expect((await git(['rev-parse', `refs/heads/${pr!.branch}`], { cwd: bare })).trim()).toBe(pr!.headSha);
  const onGitHub = (await fetch(`${github.url}/repos/acme/app/pulls/${pr!.number}`, {
    headers: { authorization: `token ${token}` },
  }).then((response) => response.json())) as { state: string; head: { sha: string } };
  expect(onGitHub).toMatchObject({ state: 'open', head: { sha: pr!.headSha } });
  expect(await git(['log', '-1', '--format=%an', pr!.branch], { cwd: bare })).toBe('orcha\n');
  return { pr: pr!, file: await git(['show', `${pr!.branch}:hello.txt`], { cwd: bare }) };
}

describe('the real loop with real agent CLIs', () => {
  it('claude manager and claude worker: the worker edits with Bash, orcha commits, a pull request holds it', async () => {
    const running = await serve('claude-claude');
    const objectiveId = await objective(running, 'Add a greeting with claude.');
    const { pr, file } = await publishedChange(running, objectiveId);
    expect(file).toBe('hello from claude\n');
    const { store } = running.orchestrator;
    const worker = store.getSession(pr.sessionId!);
    expect(worker.agent).toBe('claude');
    const calls = store
      .listMessages(worker.id, { after: 0, limit: 500 })
      .filter((m) => m.kind === 'tool_call');
    expect(calls.some((m) => m.text.startsWith('Bash'))).toBe(true);
    // The worker was told where it works and that its branch becomes a pull request.
    const workerRequest = anthropic.requests.find(
      (request) => !isManager(request) && request.system.includes(pr.branch),
    );
    expect(workerRequest?.system).toContain('This branch becomes a pull request.');
  });

  it('claude worker that changes nothing: the manager is told, and no pull request is opened', async () => {
    const running = await serve('claude-nothing');
    const pulls = () => github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/pulls'));
    const pullsBefore = pulls().length;
    const objectiveId = await objective(running, 'Check the greeting with claude; change nothing.');
    const { store } = running.orchestrator;
    const manager = store.listSessions({ objectiveId, role: 'manager' })[0]!;
    const told = await until(
      store,
      () =>
        store
          .listMessages(manager.id, { after: 0, limit: 500 })
          .find((m) => m.kind === 'assistant' && m.text.startsWith('Nothing to publish')),
      { timeoutMs: 150_000 },
    );
    expect(told.text).toContain('the worker made no changes');
    expect(store.listPullRequests({ objectiveId })).toEqual([]);
    expect(pulls()).toHaveLength(pullsBefore);
    expect(store.getObjective(objectiveId).status).toBe('active');
  });

  it('claude manager and codex worker: codex edits with its shell tool, orcha commits outside its sandbox', async () => {
    const running = await serve('claude-codex');
    const objectiveId = await objective(running, 'Add a greeting with codex.');
    const { pr, file } = await publishedChange(running, objectiveId);
    expect(file).toBe('hello from codex\n');
    expect(running.orchestrator.store.getSession(pr.sessionId!).agent).toBe('codex');
  });
});
