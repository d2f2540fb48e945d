import { createClaudeAcpProvider, createGeminiProvider } from '@orcha/agent-acp';
import {
  type AcpCliEnvironment,
  type AnthropicRequest,
  anthropicReply,
  claudeAcpPath,
  createAcpCliEnvironment,
  createTempDir,
  type FakeAnthropic,
  type FakeGemini,
  type GeminiRequest,
  geminiCliPath,
  geminiPendingResponses,
  geminiReply,
  geminiUserTexts,
  lastUserText,
  startFakeAnthropic,
  startFakeGemini,
  type TempDir,
} from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { type RunningServer, startServer } from '../src/server.js';
import { until } from './until.js';

// Agents over the Agent Client Protocol under orcha: the real Gemini CLI as the manager and the real Claude
// ACP adapter as its worker, each talking to a fake model server on loopback.
let gemini: FakeGemini;
let anthropic: FakeAnthropic;
let geminiHome: AcpCliEnvironment;
let claudeHome: AcpCliEnvironment;
let server: RunningServer | null = null;
let dir: TempDir | null = null;

/** The manager's model: spawn one claude-acp worker; when orcha reports it finished, end the objective. */
function managerModel(request: GeminiRequest) {
  const answered = geminiPendingResponses(request).at(-1);
  if (answered?.name === 'mcp_orcha_spawn_session') return geminiReply.text('Spawned the worker.');
  if (answered?.name === 'mcp_orcha_mark_objective_done') return geminiReply.text('All done.');
  const last = geminiUserTexts(request).at(-1) ?? '';
  if (/Worker ses_\w+ "Write the changelog" completed/.test(last)) {
    return geminiReply.call('mcp_orcha_mark_objective_done', { summary: 'the changelog is written' });
  }
  return geminiReply.call('mcp_orcha_spawn_session', {
    title: 'Write the changelog',
    prompt: 'say changelog written',
    agent: 'claude-acp',
  });
}

/** The worker's model: `say <words>` (on the prompt's last line) answers <words>. */
function workerModel(request: AnthropicRequest) {
  const format = (request.body.output_config as { format?: { type?: string } } | undefined)?.format;
  if (format?.type === 'json_schema') return anthropicReply.text('{"title":"changelog"}');
  const said = /say (.+)\s*$/.exec(lastUserText(request) ?? '')?.[1];
  return anthropicReply.text(said ?? 'ok');
}

beforeAll(async () => {
  gemini = await startFakeGemini({ handler: managerModel });
  anthropic = await startFakeAnthropic({ handler: workerModel });
  geminiHome = await createAcpCliEnvironment({ agent: 'gemini', baseUrl: gemini.url });
  claudeHome = await createAcpCliEnvironment({ agent: 'claude', baseUrl: anthropic.url });
});
afterAll(async () => {
  await server?.close();
  await dir?.remove();
  await Promise.all([gemini.stop(), anthropic.stop()]);
  await Promise.all([geminiHome.remove(), claudeHome.remove()]);
});

describe('ACP agents under orcha', () => {
  it('a Gemini manager asks leave for its tools, spawns a Claude ACP worker through MCP and marks the objective done', async () => {
    dir = await createTempDir('orcha-acp-');
    server = await startServer(
      parseConfig(['--port', '0', '--data-dir', dir.path, '--no-demo', '--schedule-interval', '200ms'], {}),
      {
        providers: {
          gemini: createGeminiProvider({
            command: process.execPath,
            args: [geminiCliPath],
            model: 'gemini-2.5-flash',
            env: geminiHome.env,
            // Every tool call the manager makes is put to the person first.
            permission: 'ask',
          }),
          'claude-acp': createClaudeAcpProvider({
            command: process.execPath,
            args: [claudeAcpPath],
            env: claudeHome.env,
          }),
        },
      },
    );
    const { orchestrator, url } = server;
    const { store } = orchestrator;
    // The person at the dashboard allows what the manager asks for, through the API.
    const asked: string[] = [];
    const stopAnswering = store.subscribe((events) => {
      for (const event of events) {
        if (event.type !== 'question-open' || event.kind !== 'permission') continue;
        asked.push(store.getQuestion(event.questionId).prompt);
        void fetch(`${url}/api/questions/${event.questionId}/answer`, {
          method: 'POST',
          body: JSON.stringify({ answer: 'allow' }),
        });
      }
    });
    const { objective, manager } = await orchestrator.createObjective({
      title: 'Release notes',
      prompt: 'prepare the release notes',
      agent: 'gemini',
    });
    const worker = await until(
      store,
      () => store.listSessions({ objectiveId: objective.id, role: 'worker' })[0],
      { timeoutMs: 60_000 },
    );
    expect(worker).toMatchObject({ title: 'Write the changelog', agent: 'claude-acp', parentId: manager.id });
    await until(store, () => store.getSession(worker.id).status === 'completed', { timeoutMs: 60_000 });
    expect(store.getSession(worker.id).result).toBe('changelog written');
    await until(store, () => store.getObjective(objective.id).status === 'done', { timeoutMs: 60_000 });

    const managerCalls = () =>
      store
        .listMessages(manager.id, { after: 0, limit: 500 })
        .filter((message) => message.kind === 'tool_call')
        .map((message) => message.text);
    await until(store, () => managerCalls().length >= 2, { timeoutMs: 30_000 }).catch(() => {});
    expect(managerCalls()).toEqual([
      expect.stringMatching(/spawn_session/),
      expect.stringMatching(/mark_objective_done/),
    ]);
    stopAnswering();
    expect(asked).toEqual([
      expect.stringMatching(/^gemini wants to run .*spawn_session.*Allow it\?$/s),
      expect.stringMatching(/^gemini wants to run .*mark_objective_done.*Allow it\?$/s),
    ]);
    // The doctor started each agent on the local target and read what its `initialize` advertises.
    const doctor = store.listTargets()[0]!.doctor!;
    for (const name of ['gemini', 'claude-acp'])
      expect(doctor.checks.find((check) => check.name === name)).toMatchObject({
        ok: true,
        detail: expect.stringMatching(
          /answers initialize: protocol \d+; session\/(resume|load); MCP over HTTP/,
        ),
      });
    // Both sessions can be resumed: their ACP session ids are kept.
    expect(store.getSession(manager.id).providerSessionId).toEqual(expect.any(String));
    expect(store.getSession(worker.id).providerSessionId).toEqual(expect.any(String));
  }, 180_000);
});
