import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTempDir } from '@orcha/testkit';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('./orcha-from-source.ts', import.meta.url));
/** Runs `orcha serve --agents claude` as a real process until it serves; returns what it logged by then. */
async function startLog(env: NodeJS.ProcessEnv, extra: string[] = []): Promise<string> {
  const dir = await createTempDir('orcha-root-');
  const child = spawn(
    process.execPath,
    [
      '--conditions=@orcha/source',
      '--import',
      'tsx',
      entry,
      'serve',
      '--agents',
      'claude',
      '--port',
      '0',
      '--data-dir',
      dir.path,
      ...extra,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env },
  );
  let log = '';
  try {
    return await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (/ serving http/.test(log)) resolve(log);
      });
      child.once('exit', (code) => reject(new Error(`orcha exited (${code}) before serving:\n${log}`)));
    });
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
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
