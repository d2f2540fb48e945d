import { createTempDir } from '@orcha/testkit';
import { describe, expect, it } from 'vitest';
import { startOrcha } from './orcha-process.js';

/** Runs `orcha serve --agents claude` as a real process until it serves; returns what it logged by then. */
async function startLog(env: NodeJS.ProcessEnv, extra: string[] = []): Promise<string> {
  const dir = await createTempDir('orcha-root-');
  try {
    const orcha = await startOrcha(['--agents', 'claude', '--port', '0', '--data-dir', dir.path, ...extra], {
      env,
    });
    await orcha.stop();
    return orcha.stderr();
  } finally {
    await dir.remove();
  }
}

describe.skipIf(process.getuid?.() !== 0)('orcha serve as root with claude', () => {
  it("says at start, in one line, how to fix it; with IS_SANDBOX=1 (its own or the agents' environment) it says nothing", async () => {
    const { IS_SANDBOX: _sandbox, ...rest } = process.env;
    const refused = await startLog(rest);
    const warning = refused.split('\n').find((line) => line.includes('claude refuses'));
    expect(warning).toMatch(/warn .*run orcha as a normal user, or set IS_SANDBOX=1/);
    const sandboxed = await startLog({ ...rest, IS_SANDBOX: '1' });
    expect(sandboxed).not.toContain('claude refuses');
    const forClaude = await startLog(rest, ['--agent-env', 'claude:IS_SANDBOX=1']);
    expect(forClaude).not.toContain('claude refuses');
  }, 300_000);
});
