import { readFileSync } from 'node:fs';
import { createLocalExecutor } from '@orcha/exec';
import { describe, expect, it } from 'vitest';
import { codexCommand } from './codex-command.js';
import { createCodexTerminal, readCodexScreen } from './codex-terminal.js';

/** A screen of the real Codex TUI (0.169.0) in a 200x50 tmux pane, recorded on a fake model. */
const screen = (name: string) =>
  readFileSync(new URL(`./__fixtures__/screens/${name}.txt`, import.meta.url), 'utf8');

describe('reading the codex TUI screen', () => {
  it('recognises the folder trust screen', () => {
    expect(readCodexScreen(screen('workspace-trust'))).toMatchObject({
      kind: 'dialog',
      dialog: 'workspace-trust',
      accept: ['Enter'],
      decline: ['Escape'],
    });
  });

  it('recognises a command approval', () => {
    const reading = readCodexScreen(screen('command-approval'));
    expect(reading).toMatchObject({ kind: 'dialog', dialog: 'command-approval', accept: ['Enter'] });
    if (reading.kind === 'dialog') expect(reading.text).toContain('$ touch /etc/orcha-x');
  });

  it('tells an empty composer from typed text and from a turn in progress', () => {
    expect(readCodexScreen(screen('ready'))).toEqual({ kind: 'ready', reply: null });
    expect(readCodexScreen(screen('typed')).kind).toBe('unknown');
    expect(readCodexScreen(screen('busy')).kind).toBe('busy');
    expect(readCodexScreen(screen('turn-done'))).toEqual({
      kind: 'ready',
      reply: 'Hello from the fake codex model.',
    });
  });
});

describe('launching the codex TUI', () => {
  it('gets the options codex exec gets, never asks for approval, and keeps the token out of argv', async () => {
    const spec = {
      sessionId: 'ses_1',
      prompt: 'hello',
      cwd: '/',
      executor: createLocalExecutor(),
      systemPrompt: 'You are a worker.',
      mcp: { url: 'http://127.0.0.1:9/mcp/ses_1', token: 'secret-token' },
    };
    const settings = { command: 'codex-x', model: 'gpt-fake', config: { model_provider: 'fake' } };
    const launch = await createCodexTerminal(settings).launch(spec);
    const headless = codexCommand(settings, spec);
    expect(launch.command).toEqual(['codex-x', ...headless.args.slice(3, -1), '-a', 'never']);
    expect(launch.command.join(' ')).toContain('developer_instructions="You are a worker."');
    expect(launch.command.join(' ')).not.toContain('secret-token');
    expect(launch.env).toEqual(headless.env);
    expect(launch.env.ORCHA_MCP_TOKEN).toBe('secret-token');
  });
});
