import type { AgentSpec } from '@orcha/agent';
import { createLocalExecutor } from '@orcha/exec';
import { describe, expect, it } from 'vitest';
import { codexCommand, mcpTokenVariable } from './codex-command.js';
import { tomlValue } from './toml-value.js';

const spec: AgentSpec = {
  sessionId: 'ses_1',
  prompt: '--help me',
  cwd: '/work',
  executor: createLocalExecutor(),
};

describe('codexCommand', () => {
  it('builds a json exec that reads its prompt from stdin', () => {
    const command = codexCommand({}, spec);
    expect(command.args).toEqual(['exec', '--json', '--skip-git-repo-check', '-s', 'workspace-write', '-']);
    expect(command.input).toBe('--help me');
    expect(command.env).toEqual({ TZ: 'UTC' });
    expect(command.model).toBeNull();
  });

  it('passes model, sandbox, config, system prompt and env; the spec wins over settings', () => {
    const command = codexCommand(
      {
        model: 'gpt-default',
        sandbox: 'read-only',
        config: { 'model_providers.local': { base_url: 'http://127.0.0.1:1/v1', request_max_retries: 0 } },
        env: { A: 'settings', B: 'settings' },
      },
      { ...spec, model: 'gpt-spec', systemPrompt: 'Be "brief".\nAlways.', env: { B: 'spec' } },
    );
    expect(command.args).toEqual([
      'exec',
      '--json',
      '--skip-git-repo-check',
      '-s',
      'read-only',
      '-m',
      'gpt-spec',
      '-c',
      'model_providers.local={ base_url = "http://127.0.0.1:1/v1", request_max_retries = 0 }',
      '-c',
      'developer_instructions="Be \\"brief\\".\\nAlways."',
      '-',
    ]);
    expect(command.env).toEqual({ A: 'settings', B: 'spec', TZ: 'UTC' });
    expect(command.model).toBe('gpt-spec');
  });

  it('configures the MCP server with auto-approved tools and keeps the token out of argv', () => {
    const command = codexCommand(
      { mcpServerName: 'orcha' },
      { ...spec, mcp: { url: 'http://127.0.0.1:9/mcp/ses_1', token: 'secret-token' } },
    );
    expect(command.args).toContain('mcp_servers.orcha.url="http://127.0.0.1:9/mcp/ses_1"');
    expect(command.args).toContain(`mcp_servers.orcha.bearer_token_env_var="${mcpTokenVariable}"`);
    expect(command.args).toContain('mcp_servers.orcha.default_tools_approval_mode="approve"');
    expect(command.args.join(' ')).not.toContain('secret-token');
    expect(command.env[mcpTokenVariable]).toBe('secret-token');
  });

  it('resumes a thread after the exec flags', () => {
    expect(codexCommand({}, spec, 'thread-1').args.slice(-3)).toEqual(['resume', 'thread-1', '-']);
  });
});

describe('tomlValue', () => {
  it('renders strings as TOML basic strings, escaping what TOML requires', () => {
    expect(tomlValue('tab\tquote"back\\slash')).toBe('"tab\\tquote\\"back\\\\slash"');
    expect(tomlValue('del\u007f')).toBe('"del\\u007F"');
    expect(tomlValue('lone \ud800 surrogate')).toBe('"lone \uFFFD surrogate"');
  });

  it('renders numbers, booleans, arrays and nested inline tables', () => {
    expect(tomlValue({ a: 1.5, 'b.c': [true, 'x'], d: { e: false } })).toBe(
      '{ a = 1.5, "b.c" = [true, "x"], d = { e = false } }',
    );
    expect(() => tomlValue(Number.NaN)).toThrow(/not a TOML number/);
  });
});
