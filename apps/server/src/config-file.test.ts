import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { configJsonSchema } from './config-file.js';

const schemaFile = new URL('../../../docs/orcha.config.schema.json', import.meta.url);

function dirWith(file: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'orcha-config-'));
  writeFileSync(join(dir, 'orcha.config.json'), typeof file === 'string' ? file : JSON.stringify(file));
  return dir;
}

const full = {
  port: 9100,
  dataDir: 'state',
  profiles: [
    {
      name: 'claude-work',
      kind: 'claude',
      model: 'sonnet',
      env: { ANTHROPIC_API_KEY: '$WORK_KEY', FLAVOUR: 'plain words' },
      home: '/accounts/work',
    },
    { name: 'codex-home', kind: 'codex', home: '/accounts/codex' },
  ],
  fallbacks: { 'claude-work': ['codex-home'] },
  budgets: { objective: { usd: 5, tokens: 2_000_000 }, session: { modelCalls: 40 } },
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the file's ${NAME} reference form
  notify: { webhooks: [{ url: 'http://127.0.0.1:9/hook', secret: '${HOOK_SECRET}' }] },
};
const env = { WORK_KEY: 'sk-work-very-secret', HOOK_SECRET: 'a-signing-secret-of-32-characters' };

describe('orcha.config.json', () => {
  it('is found in the working directory and gives profiles, fallbacks, budgets and sinks', () => {
    const dir = dirWith(full);
    const config = parseConfig([], env, dir);
    expect(config.configFile).toBe(join(dir, 'orcha.config.json'));
    expect(config.port).toBe(9100);
    expect(config.dataDir).toBe(join(dir, 'state'));
    expect(config.profiles[0]!.env).toEqual({
      ANTHROPIC_API_KEY: 'sk-work-very-secret',
      FLAVOUR: 'plain words',
      CLAUDE_CONFIG_DIR: '/accounts/work',
    });
    expect(config.profiles[1]!.env).toEqual({ CODEX_HOME: '/accounts/codex' });
    expect(config.fallbacks).toEqual({ 'claude-work': ['codex-home'] });
    expect(config.budgets.objective).toEqual({ usd: 5, tokens: 2_000_000 });
    expect(config.notifySinks).toEqual([
      {
        kind: 'webhook',
        name: 'webhook:127.0.0.1:9',
        url: 'http://127.0.0.1:9/hook',
        secret: env.HOOK_SECRET,
      },
    ]);
  });

  it('lets flags override the file and says where each value came from, secrets masked', () => {
    const dir = dirWith(full);
    const config = parseConfig(['--port', '9200'], { ...env, ORCHA_API_TOKEN: 'x'.repeat(20) }, dir);
    expect(config.port).toBe(9200);
    expect(config.effective.port).toEqual({ value: 9200, source: 'flag' });
    expect(config.effective.dataDir).toEqual({ value: join(dir, 'state'), source: 'file' });
    expect(config.effective.maxConcurrent).toEqual({ value: 8, source: 'default' });
    expect(config.effective.auth).toEqual({ value: true, source: 'default' });
    const shown = JSON.stringify(config.effective);
    expect(shown).not.toContain('sk-work-very-secret');
    expect(shown).not.toContain(env.HOOK_SECRET);
    expect(shown).not.toContain('plain words');
    expect(shown).toContain('$WORK_KEY');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the file's ${NAME} reference form
    expect(shown).toContain('${HOOK_SECRET}');
    const chains = parseConfig(['--fallback', 'claude-work=codex'], env, dir);
    expect(chains.fallbacks).toEqual({ 'claude-work': ['codex'] });
    expect(chains.effective.fallbacks).toEqual({ value: { 'claude-work': ['codex'] }, source: 'flag' });
    const flagged = parseConfig(['--notify-ntfy', 'http://127.0.0.1:9/topic'], env, dir);
    expect(flagged.notifySinks.map((sink) => sink.kind)).toEqual(['ntfy']);
    expect(flagged.effective.notifySinks!.source).toBe('flag');
  });

  it('is taken from --config or $ORCHA_CONFIG before ./orcha.config.json', () => {
    const dir = dirWith({ port: 1 });
    const other = dirWith({ port: 2 });
    const elsewhere = join(other, 'orcha.config.json');
    expect(parseConfig([], {}, dir).port).toBe(1);
    expect(parseConfig([], { ORCHA_CONFIG: elsewhere }, dir).port).toBe(2);
    expect(parseConfig(['--config', elsewhere], {}, dir).port).toBe(2);
    expect(parseConfig([], {}, mkdtempSync(join(tmpdir(), 'orcha-none-'))).configFile).toBeNull();
  });

  it('refuses a bad file naming the path and reason of every problem', () => {
    const dir = dirWith({
      prot: 1,
      profiles: [{ name: 'claude-work', kind: 'claude', modle: 'x', env: { KEY: '$NOT_SET' } }],
      budgets: { objective: { usd: -1 } },
      notify: { webhooks: [{ url: 'ftp://x', secret: 'literal-secret-in-the-file' }] },
    });
    let message = '';
    try {
      parseConfig([], {}, dir);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('is refused');
    expect(message).toMatch(/prot: unknown key \(did you mean "port"\?\)/);
    expect(message).toMatch(/profiles\.0\.modle: unknown key \(did you mean "model"\?\)/);
    expect(message).toMatch(/budgets\.objective\.usd: /);
    expect(message).toMatch(/notify\.webhooks\.0\.url: /);
    expect(message).toMatch(/notify\.webhooks\.0\.secret: a reference to orcha's environment/);
    const unset = dirWith({ profiles: [{ name: 'c', kind: 'claude', env: { KEY: '$NOT_SET' } }] });
    expect(() => parseConfig([], {}, unset)).toThrow(/profiles\.0\.env\.KEY: \$NOT_SET is not set/);
    expect(() => parseConfig([], {}, dirWith('{ not json'))).toThrow(/not JSON/);
  });

  it('publishes the JSON Schema checked in under docs/', () => {
    // Regenerate with ORCHA_WRITE_CONFIG_SCHEMA=1 after changing the file's schema (then format it).
    if (process.env.ORCHA_WRITE_CONFIG_SCHEMA === '1')
      writeFileSync(schemaFile, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    expect(JSON.parse(readFileSync(schemaFile, 'utf8'))).toEqual(configJsonSchema());
    const schema = configJsonSchema() as {
      additionalProperties: boolean;
      properties: Record<string, unknown>;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['profiles', 'fallbacks', 'budgets', 'notify']),
    );
  });
});
