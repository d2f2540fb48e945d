import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentEvent, AgentRun } from '@orcha/agent';
import { eventLog, eventually, newSessionId, textOf } from '@orcha/agent/testing';
import { isOrchaError } from '@orcha/model';
import { startTestMcpServer, type TestMcpServer } from '@orcha/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CodexTestbed, createCodexTestbed, promptLanguageHandler } from './testing/codex-testbed.js';

const endMs = 20_000;

describe('codex provider: the real codex CLI against a fake model', () => {
  let testbed: CodexTestbed;
  let mcp: TestMcpServer;
  const mcpToken = randomBytes(12).toString('hex');
  const runs: AgentRun[] = [];

  beforeAll(async () => {
    testbed = await createCodexTestbed();
    mcp = await startTestMcpServer({ token: mcpToken });
  });
  afterEach(async () => {
    await Promise.all(runs.splice(0).map((run) => run.cancel()));
    testbed.server.setHandler(promptLanguageHandler);
  });
  afterAll(async () => {
    await mcp?.stop();
    await testbed?.teardown();
  });

  const finish = async (run: AgentRun): Promise<readonly AgentEvent[]> => {
    runs.push(run);
    return eventLog(run).end(endMs);
  };
  const errorsOf = (events: readonly AgentEvent[]) => events.filter((event) => event.type === 'error');

  it('captures the thread id, hands over model and system prompt, and resumes with the history', async () => {
    const sessionId = newSessionId();
    const spec = testbed.spec(sessionId, 'say plum', {
      model: 'gpt-fake',
      systemPrompt: 'You are orcha worker "W1".',
    });
    const first = await finish(await testbed.provider.start(spec));
    const threadId = first[0]?.type === 'started' ? first[0].providerSessionId : null;
    expect(threadId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first[0]).toEqual({ type: 'started', providerSessionId: threadId, model: 'gpt-fake' });
    expect(textOf(first)).toBe('plum');
    expect(first.at(-1)).toEqual({ type: 'exited', code: 0, reason: 'completed' });
    const [request] = testbed.server.modelCalls().slice(-1);
    expect(request?.headers['thread-id']).toBe(threadId);
    expect(request?.model).toBe('gpt-fake');
    expect(request?.messages).toContainEqual({
      role: 'developer',
      text: expect.stringContaining('You are orcha worker "W1".'),
    });

    const resumed = await finish(
      await testbed.provider.resume({
        ...testbed.spec(sessionId, 'recall'),
        providerSessionId: threadId as string,
      }),
    );
    expect(resumed[0]).toMatchObject({ type: 'started', providerSessionId: threadId });
    expect(textOf(resumed)).toBe('plum');
    const history = testbed.server
      .modelCalls()
      .at(-1)
      ?.messages.filter((message) => message.role !== 'developer');
    expect(history?.slice(-3)).toEqual([
      { role: 'user', text: 'say plum' },
      { role: 'assistant', text: 'plum' },
      { role: 'user', text: 'recall' },
    ]);
  });

  it("calls a tool on a real MCP server with the session's bearer token, approved without a prompt", async () => {
    const spec = testbed.spec(newSessionId(), 'tool echo {"text":"ping"}', {
      mcp: { url: mcp.url, token: mcpToken },
    });
    const events = await finish(await testbed.provider.start(spec));
    const call = events.find((event) => event.type === 'tool-call');
    expect(call).toMatchObject({ name: 'mcp__orcha__echo', input: { text: 'ping' } });
    expect(events.find((event) => event.type === 'tool-result')).toEqual({
      type: 'tool-result',
      id: call?.type === 'tool-call' ? call.id : '',
      output: 'echo: ping',
      isError: false,
    });
    expect(textOf(events)).toContain('echo: ping');
    expect(events.at(-1)).toMatchObject({ reason: 'completed' });
    expect(mcp.calls).toEqual([{ text: 'ping', authorization: `Bearer ${mcpToken}` }]);
    expect(mcp.rejected).toBe(0);
  });

  it('runs shell commands inside the workspace sandbox and reports them as tool calls', async () => {
    testbed.server.setHandler((request) =>
      request.continuingAfterTool
        ? { kind: 'output', items: [{ type: 'message', text: 'written' }] }
        : {
            kind: 'output',
            items: [
              { type: 'function_call', name: 'exec_command', arguments: { cmd: 'echo made > made.txt' } },
            ],
          },
    );
    const events = await finish(await testbed.provider.start(testbed.spec(newSessionId(), 'write a file')));
    expect(events.filter((event) => event.type.startsWith('tool-'))).toMatchObject([
      {
        type: 'tool-call',
        name: 'shell',
        input: { command: expect.stringContaining('echo made > made.txt') },
      },
      { type: 'tool-result', isError: false },
    ]);
    expect(readFileSync(join(testbed.workdir, 'made.txt'), 'utf8')).toBe('made\n');
    expect(events.at(-1)).toMatchObject({ reason: 'completed' });
  });

  it('reports a usage limit as usage_exhausted with when it resets', async () => {
    const resetsAtSeconds = Math.floor(Date.now() / 1000) + 2 * 3600 + 17;
    testbed.server.setHandler(() => ({ kind: 'usage-limit', resetsAt: resetsAtSeconds }));
    const events = await finish(await testbed.provider.start(testbed.spec(newSessionId(), 'say x')));
    const [error] = errorsOf(events);
    expect(error).toMatchObject({ kind: 'usage_exhausted', message: expect.stringContaining('usage limit') });
    const resetsAt = error?.type === 'error' ? (error.resetsAt ?? 0) : 0;
    // Codex prints whole minutes; we read the end of the minute, never earlier than the real reset.
    expect(resetsAt).toBeGreaterThanOrEqual(resetsAtSeconds * 1000);
    expect(resetsAt).toBeLessThanOrEqual(resetsAtSeconds * 1000 + 60_000);
    expect(events.at(-1)).toEqual({ type: 'exited', code: 1, reason: 'failed' });
  });

  it('reports rate limits and rejected keys as their own kinds', async () => {
    testbed.server.setHandler(() => ({ kind: 'rate-limit', retryAfterSeconds: 1 }));
    const limited = await finish(await testbed.provider.start(testbed.spec(newSessionId(), 'say x')));
    expect(errorsOf(limited)).toMatchObject([{ kind: 'rate_limited', resetsAt: null }]);
    expect(limited.at(-1)).toMatchObject({ reason: 'failed' });

    testbed.server.setHandler(promptLanguageHandler);
    const spec = testbed.spec(newSessionId(), 'say x', { env: { ORCHA_FAKE_OPENAI_KEY: 'sk-wrong' } });
    const rejected = await finish(await testbed.provider.start(spec));
    expect(errorsOf(rejected)).toMatchObject([{ kind: 'auth', message: expect.stringContaining('401') }]);
    expect(rejected.at(-1)).toMatchObject({ reason: 'failed' });
  });

  it('cancels a hanging turn by killing the whole process group, leaving no codex process', async () => {
    const sessionId = newSessionId();
    const before = testbed.server.modelCalls().length;
    const run = await testbed.provider.start(testbed.spec(sessionId, 'hang'));
    runs.push(run);
    await eventually(() => testbed.server.modelCalls().length > before, endMs, 'the model call');
    expect(testbed.codexProcesses().length).toBeGreaterThan(0);
    await run.cancel();
    const events = await eventLog(run).end(endMs);
    expect(events.at(-1)).toMatchObject({ type: 'exited', reason: 'canceled' });
    expect(events.filter((event) => event.type === 'exited')).toHaveLength(1);
    expect(await testbed.isRunning(sessionId)).toBe(false);
    expect(testbed.codexProcesses()).toEqual([]);
  });

  it('fails a resume of an unknown thread with the reason codex printed on stderr', async () => {
    const spec = {
      ...testbed.spec(newSessionId(), 'recall'),
      providerSessionId: '01a20000-0000-7000-8000-000000000000',
    };
    const events = await finish(await testbed.provider.resume(spec));
    expect(errorsOf(events)).toMatchObject([
      { kind: 'other', message: expect.stringContaining('no rollout found') },
    ]);
    expect(events.at(-1)).toEqual({ type: 'exited', code: 1, reason: 'failed' });
  });

  it('refuses a thread id that codex would read as a flag, and send on a live run', async () => {
    const spec = { ...testbed.spec(newSessionId(), 'recall'), providerSessionId: '--last' };
    await expect(testbed.provider.resume(spec)).rejects.toSatisfy((error) =>
      isOrchaError(error, 'invalid_argument'),
    );
    const run = await testbed.provider.start(testbed.spec(newSessionId(), 'say pear'));
    await expect(run.send('say fig')).rejects.toSatisfy((error) =>
      isOrchaError(error, 'capability_unsupported'),
    );
    expect(textOf(await finish(run))).toBe('pear');
  });
});
