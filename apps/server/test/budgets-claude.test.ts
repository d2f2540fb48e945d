// A real `orcha serve --config` process whose agent is a profile running the real `claude` CLI against the
// fake Anthropic server: the objective's model-call budget pauses the manager once claude reports the call
// that reached it, with a budget question, and no model request follows.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  anthropicReply,
  type ClaudeCliEnvironment,
  claudeCliPath,
  createClaudeCliEnvironment,
  createTempDir,
  type FakeAnthropic,
  startFakeAnthropic,
  type TempDir,
} from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type OrchaProcess, startOrcha } from './orcha-process.js';

let anthropic: FakeAnthropic;
let claudeHome: ClaudeCliEnvironment;
let dir: TempDir;
let orcha: OrchaProcess | null = null;

beforeAll(async () => {
  anthropic = await startFakeAnthropic({ handler: () => anthropicReply.text('Planning the release.') });
  claudeHome = await createClaudeCliEnvironment({ baseUrl: anthropic.url });
  dir = await createTempDir('orcha-budget-claude-');
});
afterAll(async () => {
  await orcha?.stop();
  await anthropic.stop();
  await claudeHome.remove();
  await dir.remove();
});

interface Session {
  id: string;
  role: string;
  status: string;
  statusReason: string | null;
  usage: { modelCalls: number };
}

describe('a budget over the real claude CLI', () => {
  it('pauses the claude manager at its objective budget and asks the person', async () => {
    const file = join(dir.path, 'orcha.config.json');
    writeFileSync(
      file,
      JSON.stringify({
        dataDir: 'data',
        profiles: [{ name: 'claude-work', kind: 'claude', command: claudeCliPath, env: claudeHome.env }],
        budgets: { objective: { modelCalls: 1 } },
      }),
    );
    const port = await freePort();
    orcha = await startOrcha(['--config', file, '--port', String(port), '--no-demo'], { timeoutMs: 120_000 });
    const base = `http://127.0.0.1:${port}`;
    const created = await fetch(`${base}/api/objectives`, {
      method: 'POST',
      body: JSON.stringify({
        title: 'Release notes',
        prompt: 'prepare the release notes',
        agent: 'claude-work',
      }),
    });
    expect(created.status).toBe(201);
    const { objective, manager } = (await created.json()) as {
      objective: { id: string; budget: unknown };
      manager: Session;
    };
    expect(objective.budget).toEqual({ modelCalls: 1 });
    // Wait on the change feed until the manager is paused.
    const feed = await fetch(`${base}/api/events?after=0`);
    const reader = feed.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const deadline = Date.now() + 90_000;
    while (!/"to":"paused"/.test(text)) {
      if (Date.now() > deadline) throw new Error(`no pause within 90 s:\n${orcha.stderr().slice(-3000)}`);
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    await reader.cancel();
    const detail = (await (await fetch(`${base}/api/sessions/${manager.id}`)).json()) as { session: Session };
    expect(detail.session.status).toBe('paused');
    expect(detail.session.statusReason).toMatch(
      /^budget: the objective's budget is spent \(model calls 1\/1\)/,
    );
    expect(detail.session.usage.modelCalls).toBe(1);
    const questions = (await (await fetch(`${base}/api/questions?status=open`)).json()) as {
      questions: { kind: string; options: string[]; objectiveId: string }[];
    };
    expect(questions.questions.filter((q) => q.objectiveId === objective.id)).toEqual([
      expect.objectContaining({ kind: 'budget', options: ['add 1', 'stop'] }),
    ]);
    // claude made the one call it was allowed, and no other.
    expect(anthropic.requests.filter((request) => request.path.includes('/messages'))).toHaveLength(1);
  }, 180_000);
});
