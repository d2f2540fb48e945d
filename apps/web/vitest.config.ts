import { mergeConfig } from 'vitest/config';
import { packageProject } from '../../vitest.shared.ts';

// The e2e files each run a real orcha server and a chromium: one file at a time on a small machine.
export default mergeConfig(packageProject('web', { testTimeout: 60_000 }), {
  test: {
    fileParallelism: false,
    expect: { poll: { timeout: 15_000, interval: 100 } },
  },
});
