import '@xterm/xterm/css/xterm.css';
import { Terminal } from '@xterm/xterm';
import { useEffect, useRef, useState } from 'react';
import { ApiError, api, errorText } from '../api/orcha';

const pollMs = 1000;

type PanelState =
  | { kind: 'loading' }
  | { kind: 'live'; at: number }
  | { kind: 'none'; text: string }
  | { kind: 'error'; text: string };

function terminalTheme() {
  const style = getComputedStyle(document.documentElement);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    background: read('--term-bg', '#0b0d12'),
    foreground: read('--term-fg', '#d8dee9'),
    cursor: read('--term-fg', '#d8dee9'),
  };
}

/**
 * The live pane of a tmux session, drawn by xterm.js from `GET /api/sessions/:id/screen` snapshots polled
 * every second. Read-only: type into it with the attach command, or steer from the box above.
 */
export function TerminalPanel({
  sessionId,
  ended,
  attachCommand,
}: {
  sessionId: string;
  ended: boolean;
  attachCommand: string | null;
}) {
  const host = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<PanelState>({ kind: 'loading' });

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const terminal = new Terminal({
      disableStdin: true,
      convertEol: true,
      cursorBlink: false,
      scrollback: 0,
      fontSize: 12,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
      cols: 100,
      rows: 24,
      theme: terminalTheme(),
    });
    terminal.open(element);
    let last: string | null = null;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const controller = new AbortController();
    const poll = async () => {
      try {
        const { screen } = await api.screen(sessionId, controller.signal);
        if (stopped) return;
        if (screen !== last) {
          last = screen;
          // Trailing blank rows are dropped; the terminal is as wide as the longest line and at least 24 rows.
          const lines = screen.replace(/\n+$/, '').split('\n');
          const cols = Math.max(80, Math.min(300, ...lines.map((line) => visibleLength(line))));
          const rows = Math.max(24, Math.min(200, lines.length));
          terminal.reset();
          if (cols !== terminal.cols || rows !== terminal.rows) terminal.resize(cols, rows);
          terminal.write(lines.join('\r\n'));
        }
        setState({ kind: 'live', at: Date.now() });
      } catch (failure) {
        if (stopped) return;
        if (failure instanceof ApiError && failure.code === 'capability_unsupported') {
          setState({
            kind: 'none',
            text: ended
              ? 'The session has ended; its terminal is gone.'
              : 'No live terminal for this session (yet).',
          });
        } else if (!(failure instanceof DOMException)) {
          setState({ kind: 'error', text: errorText(failure) });
        }
      }
      if (!stopped && !ended) timer = setTimeout(() => void poll(), pollMs);
    };
    void poll();
    return () => {
      stopped = true;
      controller.abort();
      if (timer) clearTimeout(timer);
      terminal.dispose();
    };
  }, [sessionId, ended]);

  return (
    <div className="terminal-panel" data-terminal-state={state.kind}>
      <p className="terminal-status muted" role="status">
        {state.kind === 'loading' && 'Connecting to the pane…'}
        {state.kind === 'live' &&
          `Live pane, refreshed every second${attachCommand ? ' — attach to type into it' : ''}.`}
        {state.kind === 'none' && state.text}
        {state.kind === 'error' && <span className="error">{state.text}</span>}
      </p>
      <div
        ref={host}
        className="terminal-host"
        hidden={state.kind === 'none'}
        aria-label="Terminal pane"
        role="img"
      />
    </div>
  );
}

/** Characters a line takes on screen once escape sequences are removed. */
function visibleLength(line: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what is stripped
  return line.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').length;
}
