import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createClaudeProvider } from '@orcha/agent-claude';
import { createCodexProvider } from '@orcha/agent-codex';
import type { OrchaEvent } from '@orcha/model';
import {
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
  startWebhookReceiver,
  type TempDir,
  type WebhookReceiver,
} from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { type RunningServer, startServer } from '../src/server.js';
import { api } from './harness.js';
import { until } from './until.js';

// Failover with the real CLIs on fake models: a claude worker does half its task in its isolated checkout,
// then claude's account hits its usage limit (a subscription 429, as Anthropic sends it). The same session
// continues on codex, in the same checkout, from a handoff prompt, and finishes.
const token = 'ghp_failover_real_agents_token';
let anthropic: FakeAnthropic;
let claudeHome: ClaudeCliEnvironment;
let openai: FakeOpenAI;
let codexHome: CodexHome;
let gitServer: GitHttpServer;
let github: FakeGitHub;
let dir: TempDir;
let repoUrl: string;
let server: RunningServer | null = null;
/** The person's webhook: a failover is news to them. */
let hook: WebhookReceiver;
const hookSecret = 'failover-hook-secret-0123456789';
/** Set once the worker's second model call was refused: the account is spent for every later call. */
let limitedAt: number | null = null;
/** Calls refused for the usage limit: orcha must never try the spent account again. */
let refused = 0;
const resetsAt = Math.floor(Date.now() / 1000) + 5 * 3600;

const isManager = (request: AnthropicRequest) =>
  request.system.includes('You are the manager of the objective');

/** The manager spawns one claude worker, then waits. */
function managerModel(request: AnthropicRequest) {
  if (pendingToolResults(request).length > 0 || /^Worker /.test(lastUserText(request) ?? ''))
    return anthropicReply.text('Noted.');
  return anthropicReply.toolUse('mcp__orcha__spawn_session', {
    title: 'Two parts',
    prompt: 'Write part1.txt, then part2.txt.',
    agent: 'claude',
  });
}

/** claude: the worker writes part one with Bash; its next call hits the account's usage limit. */
function claudeModel(request: AnthropicRequest) {
  if (request.tools.length === 0) return anthropicReply.text('ok');
  if (limitedAt !== null) {
    refused++;
    return anthropicReply.usageLimit(resetsAt);
  }
  if (isManager(request)) return managerModel(request);
  if (pendingToolResults(request).length === 0)
    return anthropicReply.toolUse('Bash', {
      command: "printf 'part one by claude\\n' > part1.txt",
      description: 'Write part one',
    });
  limitedAt = Date.now();
  refused++;
  return anthropicReply.usageLimit(resetsAt);
}

const isWorker = (request: ResponsesRequest) =>
  request.messages.some((message) => message.text.includes('You are a worker in orcha'));

/** codex: the worker writes part two with its shell tool and finishes; a manager moved here just notes. */
function codexModel(request: ResponsesRequest) {
  const say = (text: string) => ({ kind: 'output' as const, items: [{ type: 'message' as const, text }] });
  if (!isWorker(request) || request.input.length === 0) return say('Noted.');
  if (request.toolOutputs.length > 0) return say('Finished: part1.txt and part2.txt are written.');
  return {
    kind: 'output' as const,
    items: [
      {
        type: 'function_call' as const,
        name: 'exec_command',
        arguments: { cmd: "printf 'part two by codex\\n' > part2.txt" },
      },
    ],
  };
}

beforeAll(async () => {
  anthropic = await startFakeAnthropic({ handler: claudeModel });
  // A subscription login: the limit arrives as `rate_limit_event` rejected, with the reset time.
  claudeHome = await createClaudeCliEnvironment({ baseUrl: anthropic.url, auth: 'oauth' });
  openai = await startFakeOpenAI({ handler: codexModel });
  codexHome = await createCodexHome(openai);
  gitServer = await startGitHttpServer({ token });
  github = await startFakeGitHub(gitServer, { token });
  dir = await createTempDir('orcha-failover-real-');
  repoUrl = await gitServer.createRepo('acme/app');
  await seedRepo(join(dir.path, 'seed'), gitServer.repoPath('acme/app'));
  await rm(join(dir.path, 'seed'), { recursive: true, force: true });
  hook = await startWebhookReceiver({ secret: hookSecret });
});

afterAll(async () => {
  await server?.close();
  await Promise.all([anthropic?.stop(), openai?.stop(), github?.stop(), gitServer?.stop(), hook?.close()]);
  await Promise.all([claudeHome?.remove(), codexHome?.remove(), dir?.remove()]);
});

describe('failover with the real agent CLIs', () => {
  it("claude's usage limit mid-task: the same session continues on codex in the same checkout and finishes", async () => {
    const config = parseConfig(
      [
        '--real-forge',
        '--no-demo',
        '--port',
        '0',
        '--data-dir',
        join(dir.path, 'data'),
        '--schedule-interval',
        '200ms',
        '--feedback-interval',
        '60s',
        '--fallback',
        'claude=codex',
        '--notify-webhook',
        hook.url,
      ],
      { ORCHA_WEBHOOK_SECRET: hookSecret },
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
    const { store } = server.orchestrator;
    const feed: OrchaEvent[] = [];
    store.subscribe((events) => feed.push(...events));
    const created = await api(server, 'POST', '/api/objectives', {
      title: 'Two parts',
      prompt: 'Write the two parts with claude.',
      repo: repoUrl,
      agent: 'claude',
    });
    expect(created.status).toBe(201);
    const objectiveId = created.body.objective.id as string;
    const managerId = created.body.manager.id as string;

    const worker = await until(
      store,
      () => {
        const found = store.listSessions({ objectiveId, role: 'worker' })[0];
        return found?.status === 'completed' ? found : null;
      },
      { timeoutMs: 150_000 },
    );
    expect(worker).toMatchObject({
      agent: 'codex',
      result: 'Finished: part1.txt and part2.txt are written.',
    });
    expect(limitedAt).not.toBeNull();

    // One checkout: claude's part (left uncommitted when the limit hit) and codex's part side by side.
    const workspace = store.getWorkspace(worker.workspaceId!);
    expect(workspace.kind).toBe('isolated');
    expect(readFileSync(join(workspace.path, 'part1.txt'), 'utf8')).toBe('part one by claude\n');
    expect(readFileSync(join(workspace.path, 'part2.txt'), 'utf8')).toBe('part two by codex\n');
    expect(existsSync(join(workspace.path, '.git'))).toBe(true);
    expect((await git(['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: workspace.path })).trim()).toBe(
      workspace.branch,
    );

    // codex started from the handoff: the task, the switch, git's view of the checkout, claude's last words.
    const handoffRequest = openai.requests.find(
      (request) => isWorker(request) && (request.lastUserText ?? '').includes('You are taking over'),
    );
    const handoff = handoffRequest?.lastUserText ?? '';
    expect(handoff).toContain('running on claude');
    expect(handoff).toContain('claude is out of usage until');
    expect(handoff).toContain('Write part1.txt, then part2.txt.');
    expect(handoff).toContain('?? part1.txt');
    expect(handoff).toContain("printf 'part one by claude");
    expect(handoff.length / 3).toBeLessThanOrEqual(4_000);

    // The switch is in the transcript and the feed; codex's own conversation id is the session's now.
    const transcript = store.listMessages(worker.id, { after: 0, limit: 1_000 });
    const switched = transcript.find((message) => message.data?.type === 'agent-switch');
    expect(switched?.data).toMatchObject({ from: 'claude', to: 'codex' });
    const claudeConversation = switched?.data?.fromConversationId;
    expect(typeof claudeConversation).toBe('string');
    expect(worker.providerSessionId).toBeTruthy();
    expect(worker.providerSessionId).not.toBe(claudeConversation);
    expect(transcript.some((message) => message.data?.type === 'handoff')).toBe(true);
    expect(feed).toContainEqual(
      expect.objectContaining({ type: 'session-agent-switch', sessionId: worker.id, to: 'codex' }),
    );
    // The person was told through the configured webhook, signed: which agent carries on, and why.
    const told = await hook.waitFor((request) => request.body.includes('"session.failover"'), 30_000);
    expect(told.signatureValid).toBe(true);
    expect(JSON.parse(told.body)).toMatchObject({
      kind: 'session.failover',
      objectiveId,
      title: 'Two parts: a session continues on codex',
      body: expect.stringMatching(
        /^Session "Two parts" continues on codex \(was claude\): claude is out of usage until /,
      ),
    });
    // Claude was never asked again after its limit: the one refused call, nothing more.
    expect(refused).toBe(1);
    // The manager was told which agent carries on.
    await until(
      store,
      () =>
        store
          .listMessages(managerId, { after: 0, limit: 1_000 })
          .some((message) => message.kind === 'user' && message.text.includes('continues on codex')),
      { timeoutMs: 30_000 },
    );
  });
});
