// A crash (kill -9) at every step boundary of an objective's life, with a restart on the same data dir after
// each: every session stays truthful and the objective ends. Deterministic: every boundary, every run.
import { crashPoints } from '@orcha/core';
import { createTempDir, type TempDir } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCrashChain } from './crash-chain.js';

let dir: TempDir;
beforeAll(async () => {
  dir = await createTempDir('orcha-crash-points-');
});
afterAll(async () => {
  await dir.remove();
});

describe('a crash at every step boundary', () => {
  it('restarts on the same data dir with every session truthful, and the objective ends', {
    timeout: 420_000,
  }, async () => {
    const chain = await runCrashChain({ dataDir: dir.path });
    expect(chain.runs.map((run) => run.point)).toEqual([...crashPoints]);
    for (const run of chain.runs) expect(run.problems, `after the crash at ${run.point}`).toEqual([]);
    expect(chain.finalProblems).toEqual([]);
    console.log(`crash points: ${chain.runs.map((run) => `${run.point} ${run.ms} ms`).join(', ')}`);
  });
});
