import type { AgentEvent } from '@orcha/agent';
import { eventLog, newSessionId, textOf } from '@orcha/agent/testing';
import { createLocalExecutor } from '@orcha/exec';
import { codexCliPath, createTempDir, type TempDir } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodexProvider } from './index.js';

// Talks to OpenAI with the user's own codex login and spends their quota, so it runs only on request.
const live = process.env.ORCHA_CODEX_LIVE === '1';

describe.skipIf(!live)('live codex (opt-in: ORCHA_CODEX_LIVE=1 uses your codex login and quota)', () => {
  let workdir: TempDir;
  beforeAll(async () => {
    workdir = await createTempDir('orcha-codex-live-');
  });
  afterAll(async () => {
    await workdir?.remove();
  });

  it('answers, completes the turn, and resumes the thread with its history', async () => {
    const provider = createCodexProvider({ command: codexCliPath, sandbox: 'read-only' });
    const base = { sessionId: newSessionId(), cwd: workdir.path, executor: createLocalExecutor() };
    const first = await provider.start({ ...base, prompt: 'Reply with exactly one word: pong' });
    const events: readonly AgentEvent[] = await eventLog(first).end(120_000);
    expect(textOf(events).toLowerCase()).toContain('pong');
    expect(events.at(-1)).toEqual({ type: 'exited', code: 0, reason: 'completed' });
    const threadId = events[0]?.type === 'started' ? events[0].providerSessionId : null;
    expect(threadId).toEqual(expect.any(String));

    const second = await provider.resume({
      ...base,
      prompt: 'Which single word did you reply with before? Answer with just that word.',
      providerSessionId: threadId as string,
    });
    const resumed = await eventLog(second).end(120_000);
    expect(textOf(resumed).toLowerCase()).toContain('pong');
    expect(resumed.at(-1)).toMatchObject({ reason: 'completed' });
  }, 300_000);
});
