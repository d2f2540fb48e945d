import { menuKeys, type ScreenReading, type TerminalAgent } from '@orcha/agent';
import { codexOptions } from './codex-command.js';
import type { CodexProviderSettings } from './codex-provider.js';

/**
 * Codex's TUI as a terminal agent (for the tmux provider): launched with exactly the options `codex exec`
 * gets (`codexOptions`: sandbox, model, instructions, orcha's MCP server with its token in the
 * environment) and, like `codex exec`, never asking for approval; its screens read from recordings of the
 * real TUI (`__fixtures__/screens`).
 */
export function createCodexTerminal(settings: CodexProviderSettings = {}): TerminalAgent {
  return {
    async launch(spec) {
      const options = codexOptions(settings, spec);
      return {
        command: [settings.command ?? 'codex', ...options.args, '-a', 'never'],
        env: options.env,
        cleanup: async () => {},
      };
    },
    readScreen: readCodexScreen,
  };
}

/** What Codex's TUI (0.169) shows: its trust or approval screen, a turn in progress, or its empty composer. */
export function readCodexScreen(screen: string): ScreenReading {
  if (/Trust this folder\?/.test(screen)) {
    const accept = menuKeys(screen, '›', /Trust and continue/);
    if (!accept) return { kind: 'unknown' };
    return {
      kind: 'dialog',
      dialog: 'workspace-trust',
      accept,
      decline: ['Escape'],
      text: dialogText(screen),
    };
  }
  if (/Would you like to run the following command\?/.test(screen)) {
    const accept = menuKeys(screen, '›', /Yes, proceed/);
    if (!accept) return { kind: 'unknown' };
    return {
      kind: 'dialog',
      dialog: 'command-approval',
      accept,
      decline: ['Escape'],
      text: dialogText(screen),
    };
  }
  if (/esc to interrupt/.test(screen)) return { kind: 'busy' };
  // The footer offers the shortcuts only while the composer is empty.
  if (/\? for shortcuts/.test(screen)) return { kind: 'ready', reply: lastReply(screen.split('\n')) };
  return { kind: 'unknown' };
}

/** The last `•` paragraph: the model's last message (or the last command it ran). */
function lastReply(lines: string[]): string | null {
  const start = lines.findLastIndex((line) => line.startsWith('• '));
  if (start < 0) return null;
  const reply = [lines[start]!.slice(2)];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('  ') || line.trim() === '' || /^\s+Worked for /.test(line)) break;
    reply.push(line.trim());
  }
  return reply.join('\n').trim() || null;
}

function dialogText(screen: string): string {
  return screen
    .split('\n')
    .filter((line) => line.trim() !== '')
    .join('\n');
}
