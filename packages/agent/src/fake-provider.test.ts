import { createLocalExecutor } from '@orcha/exec';
import { createTempDir, startTestMcpServer, type TempDir, type TestMcpServer } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvent, AgentSpec } from './agent-provider.js';
import { createFakeProvider, type FakeScript } from './fake-provider.js';
import { collectUntil, eventLog, newSessionId, runProviderContract } from './testing/index.js';

const executor = createLocalExecutor();
let temp: TempDir;
let mcp: TestMcpServer;

beforeAll(async () => {
  temp = await createTempDir('orcha-agent-fake-');
  mcp = await startTestMcpServer();
});
afterAll(async () => {
  await mcp.stop();
  await temp.remove();
});

const specFor = (prompt: string, extra: Partial<AgentSpec> = {}): AgentSpec => ({
  sessionId: newSessionId(),
  prompt,
  cwd: temp.path,
  executor,
  ...extra,
});

for (const interactivity of ['interactive', 'noninteractive'] as const) {
  runProviderContract(`fake (${interactivity})`, async () => {
    const provider = createFakeProvider({ interactivity });
    return {
      provider,
      spec: (sessionId, prompt) => ({ sessionId, prompt, cwd: temp.path, executor }),
      isRunning: async (sessionId) => provider.isRunning(sessionId),
    };
  });
}

/** Runs a noninteractive fake with `script` to its end and returns every event. */
async function runScript(script: FakeScript, spec: AgentSpec = specFor('go')): Promise<AgentEvent[]> {
  const run = await createFakeProvider({ interactivity: 'noninteractive', script }).start(spec);
  return [...(await eventLog(run).end(10_000))];
}

const ofType = <T extends AgentEvent['type']>(events: readonly AgentEvent[], type: T) =>
  events.filter((event): event is Extract<AgentEvent, { type: T }> => event.type === type);

describe('fake provider', () => {
  it('calls MCP tools for real, with the bearer token, over one connection closed at the end', async () => {
    const results: unknown[] = [];
    let refusal: unknown;
    const events = await runScript(
      async (agent) => {
        results.push(await agent.callTool('add', { a: 2, b: 3 }));
        results.push(await agent.callTool('status'));
        results.push(await agent.callTool('echo', { text: 'hi' }));
        refusal = await agent.callTool('refuse').catch((error: unknown) => error);
        return 'done';
      },
      specFor('go', { mcp: { url: mcp.url, token: 'secret-token' } }),
    );
    expect(results).toEqual([{ sum: 5 }, { ok: true, count: 2 }, 'echo: hi']);
    expect(refusal).toBeInstanceOf(Error);
    expect((refusal as Error).message).toContain('refused: not allowed');
    expect(ofType(events, 'tool-call')).toEqual([
      { type: 'tool-call', id: 'call_1', name: 'add', input: { a: 2, b: 3 } },
      { type: 'tool-call', id: 'call_2', name: 'status', input: {} },
      { type: 'tool-call', id: 'call_3', name: 'echo', input: { text: 'hi' } },
      { type: 'tool-call', id: 'call_4', name: 'refuse', input: {} },
    ]);
    expect(ofType(events, 'tool-result').map(({ output, isError }) => [output, isError])).toEqual([
      ['5', false],
      ['{"ok":true,"count":2}', false],
      ['echo: hi', false],
      ['refused: not allowed', true],
    ]);
    expect(events.at(-2)).toEqual({ type: 'turn-complete', result: 'done', isError: false });
    expect(mcp.authorizations.length).toBeGreaterThan(4);
    expect(new Set(mcp.authorizations)).toEqual(new Set(['Bearer secret-token']));
    expect(mcp.opened).toHaveLength(1);
    expect(mcp.closed).toEqual(mcp.opened);
  });

  it('answers the `tool` prompt through MCP, and reports a tool call without an endpoint as a crash', async () => {
    const provider = createFakeProvider({ interactivity: 'noninteractive' });
    const withTool = await provider.start(
      specFor('tool add {"a": 1, "b": 1}', { mcp: { url: mcp.url, token: 't' } }),
    );
    const events = await eventLog(withTool).end(10_000);
    expect(ofType(events, 'text')).toEqual([{ type: 'text', text: '{"sum":2}' }]);
    const without = await provider.start(specFor('tool add {}'));
    const failed = await eventLog(without).end(10_000);
    expect(ofType(failed, 'tool-result')[0]).toMatchObject({ isError: true });
    expect(failed.at(-1)).toEqual({ type: 'exited', code: null, reason: 'crashed' });
  });

  it('reports cumulative usage and usage exhaustion', async () => {
    const resetsAt = Date.UTC(2030, 0, 1);
    const events = await runScript(async (agent) => {
      agent.usage({ inputTokens: 10, outputTokens: 2, modelCalls: 1, costUsd: 0.5 });
      agent.usage({ inputTokens: 5, modelCalls: 1 });
      agent.exhaust(resetsAt, 'weekly limit');
    });
    expect(ofType(events, 'usage').map((event) => event.usage)).toEqual([
      { inputTokens: 10, outputTokens: 2, costUsd: 0.5, modelCalls: 1, cumulative: true },
      { inputTokens: 15, outputTokens: 2, costUsd: 0.5, modelCalls: 2, cumulative: true },
    ]);
    expect(events.slice(-2)).toEqual([
      { type: 'error', kind: 'usage_exhausted', message: 'weekly limit', resetsAt },
      { type: 'exited', code: 1, reason: 'failed' },
    ]);
  });

  it('does real work in the cwd through the executor, and cannot write outside it', async () => {
    const work = await createTempDir('orcha-agent-fake-work-');
    try {
      let outside: unknown;
      const events = await runScript(
        async (agent) => {
          await agent.run('git', ['init', '-q', '-b', 'main']);
          await agent.writeFile('notes/plan.md', '# plan\n');
          await agent.run('git', ['add', '.']);
          const commit = await agent.run('git', [
            '-c',
            'user.name=Fake',
            '-c',
            'user.email=fake@example.com',
            'commit',
            '-qm',
            'add plan',
          ]);
          outside = await agent.writeFile('../outside.txt', 'no').catch((error: unknown) => error);
          return `commit exited ${commit.code}`;
        },
        specFor('go', { cwd: work.path }),
      );
      expect(events.at(-2)).toMatchObject({ type: 'turn-complete', result: 'commit exited 0' });
      const log = await executor.run('git', ['log', '--format=%s', '--name-only'], { cwd: work.path });
      expect(log.stdout).toContain('add plan');
      expect(log.stdout).toContain('notes/plan.md');
      expect(outside).toMatchObject({ code: 'forbidden' });
    } finally {
      await work.remove();
    }
  });

  it('cancel stops a command the script is running, at once', async () => {
    const provider = createFakeProvider({
      script: async (agent) => {
        agent.say('sleeping');
        await agent.run('sleep', ['30']);
      },
    });
    const spec = specFor('go');
    const run = await provider.start(spec);
    await collectUntil(run, (event) => event.type === 'text', 5000);
    const asked = Date.now();
    await run.cancel();
    expect(await run.wait()).toEqual({ type: 'exited', code: null, reason: 'canceled' });
    expect(Date.now() - asked).toBeLessThan(2000);
    expect(provider.isRunning(spec.sessionId)).toBe(false);
    await expect(run.send('late')).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('reports an unexpected script error as a crash', async () => {
    const events = await runScript(async (agent) => {
      agent.say('about to break');
      throw new TypeError('scripted bug');
    });
    expect(events.slice(-2)).toEqual([
      { type: 'error', kind: 'crashed', message: 'scripted bug', resetsAt: null },
      { type: 'exited', code: null, reason: 'crashed' },
    ]);
  });

  it('buffers messages sent while the script is busy and delivers them in order', async () => {
    const received: string[] = [];
    const provider = createFakeProvider({
      script: async (agent) => {
        await agent.sleep(100);
        received.push(await agent.waitForInput('first'));
        received.push(await agent.waitForInput('second'));
        return 'last';
      },
    });
    const run = await provider.start(specFor('go'));
    await run.send('one');
    await run.send('two');
    const events = await eventLog(run).end(10_000);
    expect(received).toEqual(['one', 'two']);
    expect(ofType(events, 'turn-complete').map((event) => event.result)).toEqual(['first', 'second', 'last']);
    expect(events.at(-1)).toEqual({ type: 'exited', code: 0, reason: 'completed' });
  });

  it('refuses waitForInput on a noninteractive run', async () => {
    const events = await runScript(async (agent) => {
      const error = await agent.waitForInput().catch((caught: unknown) => caught);
      return (error as { code?: string }).code;
    });
    expect(events.at(-2)).toMatchObject({ type: 'turn-complete', result: 'capability_unsupported' });
  });

  it('keeps the conversation across resume, and starts empty for an unknown id', async () => {
    const seen: { resumed: boolean; history: readonly string[]; prompt: string }[] = [];
    const provider = createFakeProvider({
      script: async (agent) => {
        seen.push({ resumed: agent.resumed, history: agent.history, prompt: agent.prompt });
        await agent.waitForInput();
      },
    });
    const first = await provider.start(specFor('hello'));
    await first.send('steer');
    const started = (await eventLog(first).end(5000))[0] as Extract<AgentEvent, { type: 'started' }>;
    const id = started.providerSessionId as string;
    expect(id).toMatch(/^fake-/);
    expect(started.model).toBe('fake');
    const second = await provider.resume({ ...specFor('again'), providerSessionId: id });
    await second.cancel();
    const unknown = await provider.resume({ ...specFor('fresh'), providerSessionId: 'fake-unknown' });
    await unknown.cancel();
    expect((await eventLog(unknown).end(5000))[0]).toMatchObject({
      type: 'started',
      providerSessionId: 'fake-unknown',
    });
    expect(seen).toEqual([
      { resumed: false, history: [], prompt: 'hello' },
      { resumed: true, history: ['hello', 'steer'], prompt: 'again' },
      { resumed: true, history: [], prompt: 'fresh' },
    ]);
    expect(provider.conversation(id)).toEqual(['hello', 'steer', 'again']);
  });

  it('has a name and an interactivity', () => {
    expect(createFakeProvider()).toMatchObject({ name: 'fake', interactivity: 'interactive' });
    const custom = createFakeProvider({ name: 'demo', interactivity: 'noninteractive' });
    expect(custom).toMatchObject({ name: 'demo', interactivity: 'noninteractive' });
  });
});
