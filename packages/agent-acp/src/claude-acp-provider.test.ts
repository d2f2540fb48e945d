import { collectUntil, eventLog, eventually, newSessionId, textOf } from '@orcha/agent/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClaudeAcpTestbed, createClaudeAcpTestbed } from './testing/claude-acp-testbed.js';

let bed: ClaudeAcpTestbed;
beforeAll(async () => {
  bed = await createClaudeAcpTestbed();
});
afterAll(async () => {
  await bed?.teardown();
});

describe('the Claude ACP adapter (real adapter and claude binary, fake model)', () => {
  it('dying under its run ends the run as a crash and leaves nothing of it running', async () => {
    const id = newSessionId();
    const run = await bed.provider.start(bed.spec(id, 'say alive'));
    eventLog(run);
    const turn = await collectUntil(run, (event) => event.type === 'turn-complete', 30_000);
    expect(textOf(turn)).toBe('alive');
    const [adapter] = bed.pids(id);
    process.kill(adapter as number, 'SIGKILL'); // the adapter only, not its claude child
    const events = await eventLog(run).end(15_000);
    expect(events.at(-1)).toMatchObject({ type: 'exited', reason: 'crashed' });
    expect(events.filter((event) => event.type === 'error')).toEqual([
      expect.objectContaining({ kind: 'crashed' }),
    ]);
    await eventually(async () => !(await bed.isRunning(id)), 10_000, 'the adapter and its child to be gone');
  }, 60_000);
});
