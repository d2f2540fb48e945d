import { describe, expect, it } from 'vitest';
import { watchEventLoop } from './stall-watch.js';

describe('watchEventLoop', () => {
  it('says when the thread was held past the threshold, and how long', async () => {
    const lines: { level: string; message: string; ms: number }[] = [];
    const stop = watchEventLoop(
      (level, message, fields) => lines.push({ level, message, ms: Number(fields?.ms) }),
      { tickMs: 20, thresholdMs: 300 },
    );
    try {
      const until = performance.now() + 1_000;
      while (performance.now() < until) {
        // a long synchronous call
      }
      await new Promise((resolve) => setTimeout(resolve, 60));
      // (A loaded machine may hold the thread at other times too: those are said as well.)
      const held = lines.find((line) => line.ms >= 900);
      expect(held).toMatchObject({ level: 'warn', message: 'the event loop was held' });
      expect(lines.every((line) => line.ms >= 300)).toBe(true);
    } finally {
      stop();
    }
  });
});
