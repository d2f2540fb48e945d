import { delay } from '@orcha/exec';

export interface SendTextOptions {
  /** Press Enter after the text (default true). */
  enter?: boolean | undefined;
  /** How long to wait for the program to show the typed text before pressing Enter anyway (default 2000). */
  echoTimeoutMs?: number | undefined;
  /** How long to wait for Enter's effect before pressing it again (default 1000). */
  enterTimeoutMs?: number | undefined;
  /** How many times a lost Enter is pressed again (default 2). */
  enterRetries?: number | undefined;
}

export interface SendTextResult {
  /** The typed text showed up on the pane before Enter was pressed. */
  echoed: boolean;
  /** The pane changed after Enter (cursor row, scroll-back or the input line): the program took it. */
  entered: boolean;
  enterAttempts: number;
  elapsedMs: number;
}

interface PaneProbe {
  cursorY: number;
  history: number;
  dead: boolean;
  cursorLine: string;
  screen: string;
}

export interface SendTarget {
  must(args: readonly string[], input?: string): Promise<string>;
  /** A pane target (`=name:`). */
  target: string;
  bufferName: string;
}

/**
 * Why this dance: a TUI that reads the text and the Enter in one chunk takes it as a paste and turns the
 * Enter into a newline; one that is busy reads both together later. So the text goes first, Enter only
 * once the program has visibly taken the text, and Enter is confirmed by its visible effect and pressed
 * again when it had none. Every step is one tmux command with argument arrays; nothing is a shell string.
 */
export async function sendTextConfirmed(
  pane: SendTarget,
  rawText: string,
  options: SendTextOptions = {},
): Promise<SendTextResult> {
  const started = performance.now();
  const text = rawText.endsWith('\n') ? rawText.slice(0, -1) : rawText;
  const multiline = text.includes('\n');
  const needle = needleOf(text);

  const before = await probe(pane);
  let echoed = text === '';
  if (text !== '') {
    if (multiline) {
      await pane.must(
        [
          'load-buffer',
          '-b',
          pane.bufferName,
          '-',
          ';',
          'paste-buffer',
          '-d',
          '-p',
          '-b',
          pane.bufferName,
          '-t',
          pane.target,
        ],
        text,
      );
    } else {
      await pane.must(['send-keys', '-t', pane.target, '-l', '--', text]);
    }
    const seen = (now: PaneProbe) =>
      changed(before, now) && (multiline || count(now.screen, needle) > count(before.screen, needle));
    echoed = await waitFor(pane, seen, options.echoTimeoutMs ?? 2000);
  }

  let entered = false;
  let enterAttempts = 0;
  if (options.enter ?? true) {
    const retries = options.enterRetries ?? 2;
    while (!entered && enterAttempts <= retries) {
      const typed = await probe(pane);
      await pane.must(['send-keys', '-t', pane.target, 'Enter']);
      enterAttempts++;
      entered = await waitFor(pane, (now) => changed(typed, now), options.enterTimeoutMs ?? 1000);
    }
  }
  return { echoed, entered, enterAttempts, elapsedMs: performance.now() - started };
}

/** The last characters of the text's last line: what the program's echo must show. */
function needleOf(text: string): string {
  const lastLine = text.split('\n').at(-1)?.trim() ?? '';
  return lastLine.slice(-16);
}

function count(haystack: string, needle: string): number {
  if (!needle) return 0;
  let found = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length))
    found++;
  return found;
}

function changed(a: PaneProbe, b: PaneProbe): boolean {
  return (
    a.cursorY !== b.cursorY ||
    a.history !== b.history ||
    a.cursorLine !== b.cursorLine ||
    a.screen !== b.screen
  );
}

async function waitFor(pane: SendTarget, condition: (probe: PaneProbe) => boolean, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  let pause = 1;
  while (true) {
    const now = await probe(pane);
    if (condition(now)) return true;
    if (now.dead || performance.now() >= deadline) return false;
    await delay(pause);
    pause = Math.min(pause * 2, 20);
  }
}

/** One tmux call: cursor row, scroll-back size and liveness, then the visible screen. */
async function probe(pane: SendTarget): Promise<PaneProbe> {
  const output = await pane.must([
    'list-panes',
    '-t',
    pane.target,
    '-F',
    '#{cursor_y} #{history_size} #{pane_dead}',
    ';',
    'capture-pane',
    '-p',
    '-t',
    pane.target,
  ]);
  const newline = output.indexOf('\n');
  const [cursorY, history, dead] = output.slice(0, newline).split(' ');
  const screen = output.slice(newline + 1);
  const row = Number(cursorY);
  return {
    cursorY: row,
    history: Number(history),
    dead: dead === '1',
    cursorLine: screen.split('\n')[row] ?? '',
    screen,
  };
}
