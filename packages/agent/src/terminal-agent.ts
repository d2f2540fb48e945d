import type { AgentSpec } from './agent-provider.js';

/**
 * An agent CLI run as a terminal program (its TUI, in tmux): how to launch it with the same options its
 * headless provider uses, and how to read its screen. The tmux provider drives any `TerminalAgent`.
 */
export interface TerminalAgent {
  /** The command line and environment for a new run of `spec` (MCP config, system prompt, permission mode). */
  launch(spec: AgentSpec): Promise<TerminalLaunch>;
  /** What the visible screen (plain text, as `capture-pane` shows it) says the program is doing. */
  readScreen(screen: string): ScreenReading;
}

export interface TerminalLaunch {
  command: string[];
  env: Record<string, string>;
  /** Removes what `launch` left on the machine (a temp MCP config); called once the run has ended. */
  cleanup(): Promise<void>;
}

/**
 * Dialogs orcha knows. `workspace-trust`: may the agent work in this directory. `api-key`: use the key
 * found in the environment. `bypass-permissions`: confirm the permission mode orcha launched with.
 * `command-approval`: may the agent run a command.
 */
export type TerminalDialog = 'workspace-trust' | 'api-key' | 'bypass-permissions' | 'command-approval';

export type ScreenReading =
  /**
   * The input box is empty and waits for text. `reply` is the agent's last answer on screen, if any;
   * `isError` when that answer reports a failure (an API error shown instead of an answer).
   */
  | { kind: 'ready'; reply: string | null; isError?: boolean }
  /** The agent is working on a turn. */
  | { kind: 'busy' }
  /**
   * A known dialog. `accept` / `decline` are the tmux keys that answer it (from the current selection),
   * `text` is the dialog as shown, for a person.
   */
  | { kind: 'dialog'; dialog: TerminalDialog; accept: string[]; decline: string[]; text: string }
  /** Anything else: starting up, drawing, or a screen orcha does not know. */
  | { kind: 'unknown' };

/**
 * The keys that move a menu's selection (`marker` starts the selected line, e.g. `❯` or `›`) to the line
 * matching `target`, and press Enter. The selection is the marked line nearest the target (the marker
 * also starts echoed prompts above a menu). `null` when the screen has no such menu.
 */
export function menuKeys(screen: string, marker: string, target: RegExp): string[] | null {
  const lines = screen.split('\n');
  const wanted = lines.findIndex((line) => target.test(line));
  const marked = lines.flatMap((line, index) => (line.trimStart().startsWith(`${marker} `) ? [index] : []));
  if (wanted < 0 || marked.length === 0) return null;
  const selected = marked.reduce((best, index) =>
    Math.abs(index - wanted) < Math.abs(best - wanted) ? index : best,
  );
  const steps = wanted - selected;
  const key = steps > 0 ? 'Down' : 'Up';
  return [...Array.from({ length: Math.abs(steps) }, () => key), 'Enter'];
}
