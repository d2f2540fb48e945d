import { describe, expect, it } from 'vitest';
import { poll } from './poll.js';

describe('poll', () => {
  it('checks at once and resolves true as soon as the check holds', async () => {
    let calls = 0;
    expect(await poll(() => ++calls === 3, { intervalMs: 1 })).toBe(true);
    expect(calls).toBe(3);
  });

  it('resolves false once the timeout passed, having checked a last time at the deadline', async () => {
    let calls = 0;
    const started = Date.now();
    expect(
      await poll(
        () => {
          calls++;
          return false;
        },
        { intervalMs: 20, timeoutMs: 60 },
      ),
    ).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
    expect(calls).toBeGreaterThanOrEqual(2);
  });

  it('ends with the error of a check that throws', async () => {
    await expect(
      poll(
        async () => {
          throw new Error('broken');
        },
        { intervalMs: 1 },
      ),
    ).rejects.toThrow('broken');
  });
});
