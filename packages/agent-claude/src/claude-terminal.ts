import { menuKeys, type ScreenReading, type TerminalAgent } from '@orcha/agent';
import { type ClaudeProviderSettings, claudeOptionArgs, mcpServerName } from './claude-provider.js';
import { writeMcpConfig } from './mcp-config.js';

/**
 * Claude Code's TUI as a terminal agent (for the tmux provider): launched with exactly the options the
 * headless provider uses (`claudeOptionArgs`: MCP config with the session's token, system prompt,
 * permission mode), its screens read from recordings of the real TUI (`__fixtures__/screens`).
 */
export function createClaudeTerminal(settings: ClaudeProviderSettings = {}): TerminalAgent {
  return {
    async launch(spec) {
      const mcp = spec.mcp ? await writeMcpConfig(spec.executor, mcpServerName, spec.mcp) : null;
      const args = claudeOptionArgs(settings, spec, { resumeId: null, mcpConfigPath: mcp?.path ?? null });
      return {
        command: [settings.command ?? 'claude', ...args],
        env: { ...settings.env, ...spec.env },
        cleanup: async () => mcp?.remove(),
      };
    },
    readScreen: readClaudeScreen,
  };
}

const dialogs = [
  {
    dialog: 'workspace-trust',
    shows: /Is this a project you created or one you trust\?/,
    accept: /Yes, I trust this folder/,
    decline: /No, exit/,
  },
  {
    dialog: 'api-key',
    shows: /Detected a custom API key in your environment/,
    accept: /^\s*(❯\s+)?Yes\s*$/,
    decline: /No \(recommended\)/,
  },
  {
    dialog: 'bypass-permissions',
    shows: /running in Bypass Permissions mode/,
    accept: /Yes, I accept/,
    decline: /No, exit/,
  },
] as const;

/** What Claude Code's TUI (2.1.x) shows: one of its start-up dialogs, a turn in progress, or its input box. */
export function readClaudeScreen(screen: string): ScreenReading {
  for (const known of dialogs) {
    if (!known.shows.test(screen)) continue;
    const accept = menuKeys(screen, '❯', known.accept);
    const decline = menuKeys(screen, '❯', known.decline);
    if (!accept || !decline) return { kind: 'unknown' };
    return { kind: 'dialog', dialog: known.dialog, accept, decline, text: dialogText(screen) };
  }
  if (/esc to interrupt/.test(screen)) return { kind: 'busy' };
  const lines = screen.split('\n');
  // An empty input box; after a failed turn it shows a placeholder asking to resend.
  const input = lines.findLastIndex((line) => /^❯(\s*|\s+Resend your message to try again\s*)$/.test(line));
  if (input > 0 && lines[input - 1]!.startsWith('─')) {
    const reply = lastReply(lines, input);
    return reply?.startsWith('API Error')
      ? { kind: 'ready', reply, isError: true }
      : { kind: 'ready', reply };
  }
  return { kind: 'unknown' };
}

/** The last `●` paragraph above the input box: the model's last words (or its last tool call). */
function lastReply(lines: string[], input: number): string | null {
  const start = lines.slice(0, input).findLastIndex((line) => line.startsWith('● '));
  if (start < 0) return null;
  const reply = [lines[start]!.slice(2)];
  for (const line of lines.slice(start + 1, input)) {
    if (!line.startsWith('  ') || line.trim() === '') break;
    reply.push(line.trim());
  }
  return reply.join('\n').trim() || null;
}

function dialogText(screen: string): string {
  return screen
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^─+$/.test(line.trim()))
    .join('\n');
}
