import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createClaudeTerminal } from '@orcha/agent-claude';
import { createTmuxProvider } from '@orcha/agent-tmux';
import {
  anthropicReply,
  type ClaudeCliEnvironment,
  claudeCliPath,
  createClaudeCliEnvironment,
  createPrivateTmux,
  createTempDir,
  type FakeAnthropic,
  lastUserText,
  type PrivateTmux,
  startFakeAnthropic,
  type TempDir,
} from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { type RunningServer, startServer } from '../src/server.js';
import { until } from './until.js';

// Budgets over the real claude TUI in tmux, on the fake model. A screen shows no usage: each turn counts as
// one model call, and wall-clock minutes hold by a timer, with no report at all from the agent.
let anthropic: FakeAnthropic;
let claudeHome: ClaudeCliEnvironment;
let tmux: PrivateTmux;
let dir: TempDir;
let server: RunningServer;

beforeAll(async () => {
  // The prompt of the slow objective never gets an answer: its turn runs on until a budget stops it.
  anthropic = await startFakeAnthropic({
    handler: (request) =>
      (lastUserText(request) ?? '').includes('Take your time')
        ? anthropicReply.hang()
        : anthropicReply.text('Planned.'),
  });
  claudeHome = await createClaudeCliEnvironment({ baseUrl: anthropic.url });
  const claudeConfig = claudeHome.env.CLAUDE_CONFIG_DIR!;
  await mkdir(claudeConfig, { recursive: true });
  await writeFile(join(claudeConfig, '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true }));
  tmux = createPrivateTmux('budgets-tmux');
  dir = await createTempDir('orcha-budgets-tmux-');
  const config = parseConfig(
    [
      ...['--port', '0', '--data-dir', join(dir.path, 'data'), '--no-demo'],
      ...['--schedule-interval', '200ms', '--tmux', '--tmux-socket', tmux.socketName],
    ],
    {},
  );
  server = await startServer(config, {
    providers: {
      claude: createTmuxProvider({
        name: 'claude',
        socketName: tmux.socketName,
        terminal: createClaudeTerminal({ command: claudeCliPath, env: claudeHome.env }),
      }),
    },
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await tmux?.kill();
  await anthropic?.stop();
  await Promise.all([claudeHome?.remove(), dir?.remove()]);
});

/** Whether the session's tmux session still exists. */
async function paneAlive(sessionId: string): Promise<boolean> {
  return (await tmux.tmux(['has-session', '-t', `orcha-${sessionId}`])).code === 0;
}

describe('budgets over a TUI agent in tmux', () => {
  it('counts a turn as a model call and pauses the session before its next one', async () => {
    const { store } = server.orchestrator;
    const { objective, manager } = await server.orchestrator.createObjective({
      title: 'Plan',
      prompt: 'Plan the release.',
      agent: 'claude',
      budget: { modelCalls: 1 },
    });
    await until(store, () => store.getSession(manager.id).status === 'paused' || undefined, {
      timeoutMs: 120_000,
    });
    const paused = store.getSession(manager.id);
    expect(paused.statusReason).toMatch(/^budget: the objective's budget is spent \(model calls 1\/1\)/);
    expect(paused.usage.modelCalls).toBe(1);
    expect(
      store.listQuestions({ status: 'open', objectiveId: objective.id }).map((question) => question.kind),
    ).toEqual(['budget']);
    // The TUI was stopped: nothing is left in tmux to make another call.
    await expect.poll(() => paneAlive(manager.id), { timeout: 30_000 }).toBe(false);
  }, 150_000);

  it('pauses a turn that never ends when its wall-clock minutes run out, with no usage reported', async () => {
    const { store } = server.orchestrator;
    const { objective, manager } = await server.orchestrator.createObjective({
      title: 'Slow',
      prompt: 'Take your time.',
      agent: 'claude',
      budget: { minutes: 0.2 },
    });
    const deadline = store.getObjective(objective.id).createdAt + 12_000;
    // The turn is under way (the prompt reached the model, which never answers) before the limit is reached.
    await until(
      store,
      () =>
        anthropic.requests.some((request) => lastUserText(request)?.includes('Take your time')) || undefined,
      { timeoutMs: 120_000, pollMs: 100 },
    );
    expect(Date.now()).toBeLessThan(deadline);
    await until(store, () => store.getSession(manager.id).status === 'paused' || undefined, {
      timeoutMs: 120_000,
    });
    const paused = store.getSession(manager.id);
    expect(paused.statusReason).toMatch(/^budget: the objective's budget is spent \(minutes 0\.2\/0\.2\)/);
    expect(paused.usage.modelCalls).toBe(0);
    expect(paused.updatedAt).toBeGreaterThanOrEqual(deadline);
    expect(
      store.listQuestions({ status: 'open', objectiveId: objective.id }).map((question) => question.kind),
    ).toEqual(['budget']);
    await expect.poll(() => paneAlive(manager.id), { timeout: 30_000 }).toBe(false);
  }, 150_000);
});
