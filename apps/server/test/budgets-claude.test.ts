// A real `orcha serve --config` process whose agent is a profile running the real `claude` CLI against the
// fake Anthropic server: the objective's model-call budget pauses the manager once claude reports the call
// that reached it — mid-turn, while the call's tool runs — with a budget question, and no model request follows.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  anthropicReply,
  type ClaudeCliEnvironment,
  claudeCliPath,
  createClaudeCliEnvironment,
  createTempDir,
  type FakeAnthropic,
  startFakeAnthropic,
  startWebhookReceiver,
  type TempDir,
  type WebhookReceiver,
} from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OrchaProcess, startOrcha } from './orcha-process.js';

let anthropic: FakeAnthropic;
let claudeHome: ClaudeCliEnvironment;
let dir: TempDir;
let orcha: OrchaProcess | null = null;
let base = '';
let hook: WebhookReceiver;
const secret = 'budget-hook-secret-0123456789';

beforeAll(async () => {
  anthropic = await startFakeAnthropic({ handler: () => anthropicReply.text('Planning the release.') });
  claudeHome = await createClaudeCliEnvironment({ baseUrl: anthropic.url });
  dir = await createTempDir('orcha-budget-claude-');
  hook = await startWebhookReceiver({ secret });
  const file = join(dir.path, 'orcha.config.json');
  writeFileSync(
    file,
    JSON.stringify({
      dataDir: 'data',
      profiles: [{ name: 'claude-work', kind: 'claude', command: claudeCliPath, env: claudeHome.env }],
      budgets: { objective: { modelCalls: 1 } },
      notify: { webhooks: [{ url: hook.url, secret: '$BUDGET_HOOK_SECRET' }] },
    }),
  );
  orcha = await startOrcha(['--config', file, '--port', '0', '--no-demo'], {
    env: { ...process.env, BUDGET_HOOK_SECRET: secret },
    timeoutMs: 120_000,
  });
  base = orcha.url;
}, 150_000);
afterAll(async () => {
  await orcha?.stop();
  await hook?.close();
  await anthropic.stop();
  await claudeHome.remove();
  await dir.remove();
});

/** Waits on the change feed until a session is paused. */
async function pausedOnFeed(): Promise<void> {
  const feed = await fetch(`${base}/api/events?after=0`);
  const reader = feed.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + 90_000;
  while (!/"to":"paused"/.test(text)) {
    if (Date.now() > deadline) throw new Error(`no pause within 90 s:\n${orcha!.stderr().slice(-3000)}`);
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  await reader.cancel();
}

interface Session {
  id: string;
  role: string;
  status: string;
  statusReason: string | null;
  usage: { modelCalls: number };
}

describe('a budget over the real claude CLI', () => {
  it('pauses the claude manager at its objective budget and asks the person', async () => {
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
    await pausedOnFeed();
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

  it('counts the calls of a turn as claude reports them and stops it mid-turn, before its next call', async () => {
    const gate = join(dir.path, 'gate');
    execFileSync('mkfifo', [gate]);
    const before = anthropic.requests.length;
    // Call 1 runs a quick command; call 2's command waits on the gate, which opens only after the test:
    // the turn is still going when the budget of two calls is spent. A third call would finish it.
    anthropic.setHandler(() => {
      const call = anthropic.requests.length - before;
      if (call === 1) return anthropicReply.toolUse('Bash', { command: 'echo first', description: 'first' });
      if (call === 2) return anthropicReply.toolUse('Bash', { command: `cat ${gate}`, description: 'wait' });
      return anthropicReply.text('Finished the notes.');
    });
    const created = await fetch(`${base}/api/objectives`, {
      method: 'POST',
      body: JSON.stringify({
        title: 'Changelog',
        prompt: 'write the changelog',
        agent: 'claude-work',
        budget: { modelCalls: 2 },
      }),
    });
    expect(created.status).toBe(201);
    const { objective, manager } = (await created.json()) as {
      objective: { id: string };
      manager: Session;
    };
    let session: Session & { live?: boolean } = manager;
    await expect
      .poll(
        async () => {
          const detail = (await (await fetch(`${base}/api/sessions/${manager.id}`)).json()) as {
            session: Session;
            live: boolean;
          };
          session = { ...detail.session, live: detail.live };
          return `${detail.session.status} live=${detail.live}`;
        },
        { timeout: 90_000, interval: 100 },
      )
      .toBe('paused live=false');
    expect(session.statusReason).toMatch(/^budget: the objective's budget is spent \(model calls 2\/2\)/);
    expect(session.usage.modelCalls).toBe(2);
    const questions = (await (await fetch(`${base}/api/questions?status=open`)).json()) as {
      questions: { kind: string; objectiveId: string }[];
    };
    expect(questions.questions.filter((q) => q.objectiveId === objective.id).map((q) => q.kind)).toEqual([
      'budget',
    ]);
    // The run is over and made exactly the two calls its budget allowed: the turn never reached a third.
    expect(
      anthropic.requests.slice(before).filter((request) => request.path.includes('/messages')),
    ).toHaveLength(2);
    // The stop reached the person through the configured webhook, signed: the budget question.
    const told = await hook.waitFor((request) => request.body.includes(objective.id), 30_000);
    expect(told.signatureValid).toBe(true);
    expect(JSON.parse(told.body)).toMatchObject({
      kind: 'question.budget',
      objectiveId: objective.id,
      title: 'orcha needs you: Changelog',
      body: expect.stringContaining("The objective's budget is spent: model calls 2/2"),
    });
    // Release a command the interrupt left waiting, if any (none reading: nothing to release).
    try {
      closeSync(openSync(gate, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // ENXIO: no reader left, the interrupt ended the command.
    }
  }, 180_000);
});
