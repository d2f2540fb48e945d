import { readFileSync } from 'node:fs';
import { createLocalExecutor } from '@orcha/exec';
import { describe, expect, it } from 'vitest';
import { claudeArgs } from './claude-provider.js';
import { createClaudeTerminal, readClaudeScreen } from './claude-terminal.js';

/** A screen of the real Claude Code TUI (2.1.331) in a 200x50 tmux pane, recorded on a fake model. */
const screen = (name: string) =>
  readFileSync(new URL(`./__fixtures__/screens/${name}.txt`, import.meta.url), 'utf8');

describe('reading the claude TUI screen', () => {
  it('recognises the workspace trust dialog, where "No, exit" is selected', () => {
    const reading = readClaudeScreen(screen('workspace-trust'));
    expect(reading).toMatchObject({ kind: 'dialog', dialog: 'workspace-trust' });
    if (reading.kind !== 'dialog') return;
    expect(reading.accept).toEqual(['Down', 'Enter']);
    expect(reading.decline).toEqual(['Enter']);
    expect(reading.text).toContain('Yes, I trust this folder');
  });

  it('recognises the API key question, where "No (recommended)" is selected', () => {
    const reading = readClaudeScreen(screen('api-key'));
    expect(reading).toMatchObject({ kind: 'dialog', dialog: 'api-key', accept: ['Up', 'Enter'] });
  });

  it('recognises the bypass permissions confirmation', () => {
    const reading = readClaudeScreen(screen('bypass-permissions'));
    expect(reading).toMatchObject({
      kind: 'dialog',
      dialog: 'bypass-permissions',
      accept: ['Down', 'Enter'],
      decline: ['Enter'],
    });
  });

  it('tells a ready input box from typed text and from a turn in progress', () => {
    expect(readClaudeScreen(screen('ready'))).toEqual({ kind: 'ready', reply: null });
    expect(readClaudeScreen(screen('typed')).kind).toBe('unknown');
    expect(readClaudeScreen(screen('busy')).kind).toBe('busy');
    expect(readClaudeScreen(screen('turn-done'))).toEqual({
      kind: 'ready',
      reply: 'Hello from the fake model.',
    });
  });

  it('reads a turn that ended in an API error as a failed turn, ready for the next message', () => {
    const failed = readClaudeScreen(screen('api-error'));
    expect(failed).toMatchObject({ kind: 'ready', isError: true });
    if (failed.kind === 'ready') expect(failed.reply).toMatch(/^API Error: 500 Internal server error/);
    const limited = readClaudeScreen(screen('usage-limit'));
    expect(limited).toMatchObject({ kind: 'ready', isError: true });
    if (limited.kind === 'ready') expect(limited.reply).toContain('would exceed your account usage limit');
  });

  it('does not mistake a start-up failure for anything it may answer', () => {
    expect(readClaudeScreen(screen('offline-onboarding')).kind).toBe('unknown');
  });
});

describe('launching the claude TUI', () => {
  it('gets the options the headless CLI gets, with the MCP config in a private file', async () => {
    const executor = createLocalExecutor();
    const spec = {
      sessionId: 'ses_1',
      prompt: 'hello',
      cwd: '/',
      executor,
      systemPrompt: 'You are a worker.',
      mcp: { url: 'http://127.0.0.1:9/mcp/ses_1', token: 'secret-token' },
    };
    const terminal = createClaudeTerminal({ command: 'claude-x', env: { A: '1' } });
    const launch = await terminal.launch(spec);
    try {
      const [program, ...args] = launch.command;
      expect(program).toBe('claude-x');
      const configPath = args[args.indexOf('--mcp-config') + 1]!;
      expect(claudeArgs({}, spec, { resumeId: null, mcpConfigPath: configPath }).slice(6)).toEqual(args);
      expect(args).toContain('--append-system-prompt=You are a worker.');
      expect(args.slice(0, 2)).toEqual(['--permission-mode', 'bypassPermissions']);
      expect(args.join(' ')).not.toContain('secret-token');
      expect(readFileSync(configPath, 'utf8')).toContain('Bearer secret-token');
      expect(launch.env).toEqual({ A: '1' });
    } finally {
      await launch.cleanup();
    }
  });
});
