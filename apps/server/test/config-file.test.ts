import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDir, type TempDir } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkResponse } from './contract.js';
import { type OrchaProcess, startOrcha } from './orcha-process.js';

let dir: TempDir;
let orcha: OrchaProcess | null = null;

beforeAll(async () => {
  dir = await createTempDir('orcha-config-file-');
});
afterAll(async () => {
  await orcha?.stop();
  await dir.remove();
});

describe('orcha serve --config', () => {
  it('refuses a bad file at start, naming the path and reason of each problem, and creates nothing', async () => {
    const file = join(dir.path, 'bad.config.json');
    const dataDir = join(dir.path, 'never-made');
    writeFileSync(
      file,
      JSON.stringify({
        dataDir,
        maxConcurent: 3,
        profiles: [{ name: 'Claude Work', kind: 'claud' }],
        budgets: { session: { tokens: 0 } },
      }),
    );
    const started = startOrcha(['--config', file, '--port', '0']);
    const error = await started.then(
      () => null,
      (reason: Error) => reason,
    );
    expect(error).not.toBeNull();
    expect(error!.message).toContain(`config file ${file} is refused`);
    expect(error!.message).toMatch(/maxConcurent: unknown key \(did you mean "maxConcurrent"\?\)/);
    expect(error!.message).toMatch(/profiles\.0\.name: an agent name/);
    expect(error!.message).toMatch(/profiles\.0\.kind: /);
    expect(error!.message).toMatch(/budgets\.session\.tokens: /);
    expect(existsSync(dataDir)).toBe(false);
  }, 120_000);

  it('serves with the file: profiles as agents, flags over the file, secrets never shown', async () => {
    const file = join(dir.path, 'orcha.config.json');
    writeFileSync(
      file,
      JSON.stringify({
        port: 1,
        dataDir: 'data',
        agents: 'fake',
        profiles: [
          { name: 'claude-work', kind: 'claude', env: { ANTHROPIC_API_KEY: '$WORK_KEY' }, home: 'work-home' },
          { name: 'claude-personal', kind: 'claude', home: 'personal-home' },
        ],
        defaultAgent: 'fake',
        fallbacks: { 'claude-work': ['claude-personal', 'codex'] },
        budgets: { objective: { usd: 2 } },
        notify: { webhooks: [{ url: 'http://127.0.0.1:9/hook', secret: '$HOOK_SECRET' }] },
      }),
    );
    const env = {
      ...process.env,
      WORK_KEY: 'sk-ant-work-never-shown',
      HOOK_SECRET: 'hook-secret-never-shown-0123456789',
    };
    orcha = await startOrcha(['--port', '0', '--no-demo'], {
      env: { ...env, ORCHA_CONFIG: file },
      timeoutMs: 110_000,
    });
    const base = orcha.url;
    const text = await (await fetch(`${base}/api/config`)).text();
    expect(text).not.toContain('sk-ant-work-never-shown');
    expect(text).not.toContain('hook-secret-never-shown');
    await checkResponse('GET', '/api/config', 200, JSON.parse(text));
    const shown = JSON.parse(text) as {
      configFile: string;
      settings: Record<string, { value: unknown; source: string }>;
    };
    expect(shown.configFile).toBe(file);
    // Asked for any free port (0), it shows the one it got.
    expect(shown.settings.port).toEqual({ value: orcha.port, source: 'flag' });
    expect(shown.settings.dataDir).toEqual({ value: join(dir.path, 'data'), source: 'file' });
    expect(shown.settings.maxConcurrent).toEqual({ value: 8, source: 'default' });
    expect(shown.settings.fallbacks).toEqual({
      value: { 'claude-work': ['claude-personal', 'codex'] },
      source: 'file',
    });
    expect(shown.settings.profiles!.value).toEqual([
      { name: 'claude-work', kind: 'claude', env: { ANTHROPIC_API_KEY: '$WORK_KEY' }, home: 'work-home' },
      { name: 'claude-personal', kind: 'claude', home: 'personal-home' },
    ]);
    expect(shown.settings.notifySinks).toEqual({
      value: [
        {
          kind: 'webhook',
          name: 'webhook:127.0.0.1:9',
          url: 'http://127.0.0.1:9/hook',
          secret: '$HOOK_SECRET',
        },
      ],
      source: 'file',
    });
    expect(existsSync(join(dir.path, 'data', 'orcha.db'))).toBe(true);
    const dashboard = (await (await fetch(`${base}/api/dashboard`)).json()) as { info: { agents: string[] } };
    expect(dashboard.info.agents).toEqual(expect.arrayContaining(['claude-work', 'claude-personal', 'fake']));
    const schema = await (await fetch(`${base}/api/config.schema.json`)).json();
    await checkResponse('GET', '/api/config.schema.json', 200, schema);
    const published = new URL('../../../docs/orcha.config.schema.json', import.meta.url);
    expect(schema).toEqual(JSON.parse(readFileSync(published, 'utf8')));
  }, 120_000);
});
