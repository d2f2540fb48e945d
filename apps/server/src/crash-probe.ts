import { writeSync } from 'node:fs';
import type { CrashPoint, CrashProbe } from '@orcha/core';

/**
 * Test-only: a probe that kills this process with SIGKILL the first time it reaches `point`, after saying so
 * on stderr — a crash in exactly that millisecond, with no chance to clean up. Installed only when the
 * ORCHA_TEST_CRASH_AT environment variable names a crash point; a normal run has no probe at all.
 */
export function createCrashProbe(point: CrashPoint): CrashProbe {
  return (reached) => {
    if (reached !== point) return;
    writeSync(2, `orcha: crash point ${point} reached; killing orcha\n`);
    process.kill(process.pid, 'SIGKILL');
  };
}
