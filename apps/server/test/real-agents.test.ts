import type { AgentProvider } from '@orcha/agent';
import { createFakeProvider } from '@orcha/agent';
import { createClaudeProvider } from '@orcha/agent-claude';
import { createCodexProvider } from '@orcha/agent-codex';
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
  type FakeOpenAI,
  lastUserText,
  pendingToolResults,
  type ResponsesRequest,
  startFakeAnthropic,
  startFakeOpenAI,
  type TempDir,
  userTexts,
} from '@orcha/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { type RunningServer, startServer } from '../src/server.js';
import { until } from './until.js';

// The real `claude` and `codex` CLIs, orchestrated by orcha, talking to fake model servers on loopback.
let anthropic: FakeAnthropic;
let claudeHome: ClaudeCliEnvironment;
let openai: FakeOpenAI;
let codexHome: CodexHome;
let server: RunningServer | null = null;
let dir: TempDir | null = null;

/** The manager's model: spawn one worker, then acknowledge whatever orcha tells it. */
function managerModel(request: AnthropicRequest) {
  if (pendingToolResults(request).length > 0)
    return anthropicReply.text('Spawned the worker; waiting for it.');
  const last = lastUserText(request) ?? '';
  if (/^Worker ses_/.test(last)) return anthropicReply.text(`Noted: ${last.slice(0, 60)}`);
  if (last.startsWith('say ')) return anthropicReply.text(last.slice(4));
  return anthropicReply.toolUse('mcp__orcha__spawn_session', {
    title: 'Write the changelog',
    prompt: 'write the changelog',
    agent: 'fake',
  });
}

/** Codex's model: answers `say X` with X and `recall` with every earlier said word. */
function codexModel(request: ResponsesRequest) {
  const last = request.lastUserText ?? '';
  const said = request.messages
    .filter((message) => message.role === 'user')
    .map((message) => /say (\w+)/.exec(message.text)?.[1])
    .filter(Boolean);
  if (last.includes('recall'))
    return { kind: 'output' as const, items: [{ type: 'message' as const, text: said.join(' ') }] };
  const word = /say (\w+)/.exec(last)?.[1] ?? 'ok';
  return { kind: 'output' as const, items: [{ type: 'message' as const, text: word }] };
}

beforeAll(async () => {
  anthropic = await startFakeAnthropic({ handler: managerModel });
  claudeHome = await createClaudeCliEnvironment({ baseUrl: anthropic.url });
  openai = await startFakeOpenAI({ handler: codexModel });
  codexHome = await createCodexHome(openai);
});
afterAll(async () => {
  await Promise.all([anthropic.stop(), openai.stop()]);
  await Promise.all([claudeHome.remove(), codexHome.remove()]);
});
afterEach(async () => {
  await server?.close();
  await dir?.remove();
  server = null;
  dir = null;
});

/** orcha serve on a temp data dir with these agents, as a library. */
async function serveWith(providers: Record<string, AgentProvider>) {
  dir = await createTempDir('orcha-real-');
  server = await startServer(
    parseConfig(['--port', '0', '--data-dir', dir.path, '--no-demo', '--schedule-interval', '200ms'], {}),
    { providers },
  );
  return server;
}

async function api(running: RunningServer, method: string, path: string, body?: unknown) {
  const response = await fetch(`${running.url}${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

const claude = () => createClaudeProvider({ command: claudeCliPath, env: claudeHome.env });
const codex = () =>
  createCodexProvider({
    command: codexCliPath,
    env: codexHome.env,
    config: codexHome.config as never,
    model: codexHome.model,
  });

describe('real agent CLIs under orcha', () => {
  it('a claude manager spawns a worker through MCP, the scheduler runs it, and the manager hears the result', async () => {
    const worker = createFakeProvider({ script: async () => 'changelog written' });
    const running = await serveWith({ claude: claude(), fake: worker });
    const { store } = running.orchestrator;
    const { orchestrator } = running;
    const { objective, manager } = await orchestrator.createObjective({
      title: 'Release notes',
      prompt: 'prepare the release notes',
      agent: 'claude',
    });
    const spawned = await until(
      store,
      () => store.listSessions({ objectiveId: objective.id, role: 'worker' })[0],
      { timeoutMs: 60_000 },
    );
    expect(spawned.title).toBe('Write the changelog');
    expect(spawned.parentId).toBe(manager.id);
    await until(store, () => store.getSession(spawned.id).status === 'completed', { timeoutMs: 30_000 });
    // orcha told the live claude process, and claude's model saw it.
    await until(
      store,
      () =>
        anthropic.requests.some((request) =>
          userTexts(request).some((text) => text.startsWith(`Worker ${spawned.id}`)),
        ),
      { timeoutMs: 30_000 },
    );
    const toolCalls = store
      .listMessages(manager.id, { after: 0, limit: 500 })
      .filter((m) => m.kind === 'tool_call');
    expect(toolCalls[0]!.text).toMatch(/spawn_session/);
    expect(store.getSession(manager.id).providerSessionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('steers claude live on its process and codex by cancel and resume on the same conversation', async () => {
    const running = await serveWith({ claude: claude(), codex: codex() });
    const { store } = running.orchestrator;
    const { orchestrator } = running;
    const interactive = await orchestrator.createObjective({
      title: 'steer claude',
      prompt: 'say hello',
      agent: 'claude',
    });
    const noninteractive = await orchestrator.createObjective({
      title: 'steer codex',
      prompt: 'say apple',
      agent: 'codex',
    });
    const claudeId = interactive.manager.id;
    const codexId = noninteractive.manager.id;
    await until(store, () => store.getSession(claudeId).status === 'waiting_input', { timeoutMs: 60_000 });
    await until(
      store,
      () =>
        store.getSession(codexId).status === 'waiting_input' && store.getSession(codexId).providerSessionId,
      { timeoutMs: 60_000 },
    );
    const threadId = store.getSession(codexId).providerSessionId;
    const said = (sessionId: string, text: string) =>
      store
        .listMessages(sessionId, { after: 0, limit: 100 })
        .some((m) => m.kind === 'assistant' && m.text === text);

    const live = await api(running, 'POST', `/api/sessions/${claudeId}/messages`, { text: 'say again' });
    expect(live.body.delivery).toBe('live');
    await until(store, () => said(claudeId, 'again'), { timeoutMs: 30_000 });

    const detail = await api(running, 'GET', `/api/sessions/${codexId}`);
    expect(detail.body.steering).toBe('cancel_and_resume');
    const resumed = await api(running, 'POST', `/api/sessions/${codexId}/messages`, { text: 'recall' });
    expect(['queued', 'restart']).toContain(resumed.body.delivery);
    await until(store, () => said(codexId, 'apple'), { timeoutMs: 60_000 });
    await until(store, () => store.getSession(codexId).status === 'waiting_input', { timeoutMs: 30_000 });
    expect(store.getSession(codexId).providerSessionId).toBe(threadId);
    // The resumed turn carried the earlier conversation to the model.
    const lastCall = openai.modelCalls().at(-1)!;
    expect(lastCall.messages.some((message) => message.text.includes('say apple'))).toBe(true);
  });
});
