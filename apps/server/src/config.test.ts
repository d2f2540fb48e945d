import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';

describe('server configuration', () => {
  it('defaults to loopback, port 8080, fake agents and .orcha', () => {
    const config = parseConfig([], {});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      agents: 'fake',
      tmux: false,
      maxConcurrent: 8,
    });
    expect(config.dataDir.endsWith('.orcha')).toBe(true);
  });

  it('reads GNU flags and the earlier single-dash spellings', () => {
    const gnu = parseConfig(
      ['--port', '9000', '--data-dir=/tmp/x', '--agents', 'codex', '--tmux', '--max-concurrent', '3'],
      {},
    );
    expect(gnu).toMatchObject({
      port: 9000,
      dataDir: '/tmp/x',
      agents: 'codex',
      tmux: true,
      maxConcurrent: 3,
    });
    const seed = parseConfig(
      ['-fake-agents', '-tmux', '-max-concurrent', '4', '-schedule-interval', '2s', '-real-forge'],
      {},
    );
    expect(seed).toMatchObject({
      agents: 'fake',
      tmux: true,
      maxConcurrent: 4,
      scheduleInterval: 2_000,
      realForge: true,
    });
    expect(parseConfig(['--schedule-interval', '250ms'], {}).scheduleInterval).toBe(250);
  });

  it('refuses unknown flags, missing values and bad numbers with a clear message', () => {
    expect(() => parseConfig(['--prot', '1'], {})).toThrow(/unknown argument --prot/);
    expect(() => parseConfig(['--port'], {})).toThrow(/--port needs a value/);
    expect(() => parseConfig(['--port', 'abc'], {})).toThrow(/port/);
    expect(() => parseConfig(['--agents', 'gpt'], {})).toThrow(/agents/);
  });

  it("takes the identity of orcha's commits from flags or the environment, and refuses a forged one", () => {
    expect(parseConfig([], {})).toMatchObject({ gitName: 'orcha', gitEmail: expect.stringContaining('@') });
    expect(parseConfig(['--git-name', 'Build Bot'], { ORCHA_GIT_EMAIL: 'bot@example.com' })).toMatchObject({
      gitName: 'Build Bot',
      gitEmail: 'bot@example.com',
    });
    expect(() => parseConfig(['--git-email', 'not an email'], {})).toThrow(/gitEmail/);
    expect(() => parseConfig(['--git-name', 'a <b>'], {})).toThrow(/gitName/);
  });

  it('needs an API token to listen beyond loopback', () => {
    expect(() => parseConfig(['--host', '0.0.0.0'], {})).toThrow(/API token/);
    expect(parseConfig(['--host', '0.0.0.0'], { ORCHA_API_TOKEN: 'x'.repeat(20) }).apiToken).toBe(
      'x'.repeat(20),
    );
  });

  it('takes --auth and repeatable --allowed-host names, refusing what is not a host name', () => {
    expect(parseConfig([], {})).toMatchObject({ auth: false, allowedHosts: [] });
    expect(
      parseConfig(['--auth', '--allowed-host', 'orcha.lan', '--allowed-host=.dev.example'], {}),
    ).toMatchObject({ auth: true, allowedHosts: ['orcha.lan', '.dev.example'] });
    expect(() => parseConfig(['--allowed-host', 'http://x/'], {})).toThrow(/host name/);
    expect(() => parseConfig(['--allowed-host'], {})).toThrow(/needs a value/);
  });

  it('reads agent environments per agent and target, secrets from its own environment only', () => {
    const config = parseConfig(
      [
        '--agent-env',
        'claude:ANTHROPIC_API_KEY',
        '--agent-env=claude@gpu-box:ANTHROPIC_BASE_URL=http://127.0.0.1:9/v1?a=b',
        '--agent-env',
        '@gpu-box:PATH=/opt/bin:/usr/bin',
      ],
      { ANTHROPIC_API_KEY: 'sk-from-env' },
    );
    expect(config.agentEnvironment).toEqual([
      { agent: 'claude', target: null, name: 'ANTHROPIC_API_KEY', value: 'sk-from-env' },
      { agent: 'claude', target: 'gpu-box', name: 'ANTHROPIC_BASE_URL', value: 'http://127.0.0.1:9/v1?a=b' },
      { agent: null, target: 'gpu-box', name: 'PATH', value: '/opt/bin:/usr/bin' },
    ]);
    expect(() => parseConfig(['--agent-env', 'claude:OPENAI_API_KEY'], {})).toThrow(
      /OPENAI_API_KEY is not set in orcha's environment/,
    );
    expect(() => parseConfig(['--agent-env', 'claude:1BAD=x'], {})).toThrow(/expected \[AGENT\]/);
  });

  it('configures notification sinks from flags, their secrets only from the environment', () => {
    const secret = 'a-long-enough-signing-secret';
    const config = parseConfig(
      [
        '--notify-webhook',
        'https://hooks.example.com/orcha',
        '--notify-webhook=http://127.0.0.1:9000/hook',
        '--notify-ntfy',
        'https://ntfy.sh/my-orcha',
        '--notify-secret-env',
        'MY_SECRET',
      ],
      { MY_SECRET: secret, ORCHA_NTFY_TOKEN: 'tk_abc' },
    );
    expect(config.notifySinks).toEqual([
      { kind: 'webhook', name: 'webhook:hooks.example.com', url: 'https://hooks.example.com/orcha', secret },
      { kind: 'webhook', name: 'webhook:127.0.0.1:9000', url: 'http://127.0.0.1:9000/hook', secret },
      { kind: 'ntfy', name: 'ntfy:ntfy.sh', url: 'https://ntfy.sh/my-orcha', token: 'tk_abc' },
    ]);
    expect(parseConfig([], {}).notifySinks).toEqual([]);
    expect(() => parseConfig(['--notify-webhook', 'https://h.example/x'], {})).toThrow(
      /set ORCHA_WEBHOOK_SECRET in orcha's environment/,
    );
    expect(() =>
      parseConfig(['--notify-webhook', 'https://h.example/x'], { ORCHA_WEBHOOK_SECRET: 'short' }),
    ).toThrow(/16\+ characters/);
    expect(() =>
      parseConfig(['--notify-webhook', 'file:///etc/passwd'], { ORCHA_WEBHOOK_SECRET: secret }),
    ).toThrow(/http\(s\) URL/);
    expect(() => parseConfig(['--notify-secret-env', 'not a name'], {})).toThrow(/NAME of an environment/);
  });

  it('names the built-in ACP agents and reads more from --acp-agent as checked JSON', () => {
    expect(parseConfig(['--agents', 'gemini'], {}).agents).toBe('gemini');
    expect(parseConfig(['--agents=claude-acp'], {}).agents).toBe('claude-acp');
    const config = parseConfig(
      ['--acp-agent', '{"name":"goose","kind":"acp","command":"goose","args":["acp"],"permission":"ask"}'],
      {},
    );
    expect(config.acpAgents).toEqual([
      { name: 'goose', kind: 'acp', command: 'goose', args: ['acp'], permission: 'ask' },
    ]);
    expect(() => parseConfig(['--acp-agent', 'goose acp'], {})).toThrow(/expected JSON/);
    expect(() => parseConfig(['--acp-agent', '{"name":"Goose!","kind":"acp","command":"g"}'], {})).toThrow(
      /invalid configuration/,
    );
    expect(() =>
      parseConfig(['--acp-agent', '{"name":"g","kind":"acp","command":"g","permission":"maybe"}'], {}),
    ).toThrow(/invalid configuration/);
  });

  it('reads fallback chains from repeatable --fallback flags, refusing malformed ones', () => {
    expect(parseConfig([], {}).fallbacks).toEqual({});
    const config = parseConfig(
      [
        '--fallback',
        'claude=claude-personal',
        '--fallback=claude=codex,claude-personal',
        '--fallback',
        'codex=claude',
      ],
      {},
    );
    expect(config.fallbacks).toEqual({ claude: ['claude-personal', 'codex'], codex: ['claude'] });
    expect(() => parseConfig(['--fallback', 'claude'], {})).toThrow(/--fallback claude: expected AGENT=NEXT/);
    expect(() => parseConfig(['--fallback', 'claude=claude'], {})).toThrow(/cannot fall back to itself/);
    expect(() => parseConfig(['--fallback', 'claude=Bad Name'], {})).toThrow(/expected AGENT=NEXT/);
    expect(() => parseConfig(['--fallback', 'claude=../sh'], {})).toThrow(/invalid configuration: fallbacks/);
  });
});
