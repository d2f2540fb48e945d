import type { AgentEvent, ScreenReading, TerminalDialog } from '@orcha/agent';
import { delay } from '@orcha/exec';
import { OrchaError } from '@orcha/model';
import type { TmuxController } from '@orcha/tmux';

export interface ScreenDriverOptions {
  controller: TmuxController;
  name: string;
  readScreen: (screen: string) => ScreenReading;
  push: (event: AgentEvent) => void;
  /** The spec's prompt: typed once the input box is ready. None when re-attaching to a running agent. */
  prompt: string | undefined;
  /** The directory is a workspace orcha made: the agent's trust question is answered yes. */
  trustedWorkspace: boolean;
  /** How long a screen may stay unrecognised before a person is asked. */
  unknownScreenMs: number;
  /** A turn whose busy screen was never seen counts as done after the input box stayed ready this long. */
  quietMs: number;
}

/** How often the screen is read while something is expected; pane output wakes the driver sooner. */
const watchMs = 400;
/** How often an idle agent's screen is read (a dialog may appear without our input). */
const idleMs = 5_000;
/** How long a dialog's screen must stay unchanged before a key is pressed on it. */
const stableMs = 1_000;
/** The longest wait for a dialog's screen to settle. */
const answerSettleMs = 5_000;
/** Tries at moving and confirming a dialog's answer before a person is asked instead. */
const answerAttempts = 8;

/**
 * Drives an agent's TUI by its screen: answers the dialogs orcha may answer (by policy: a workspace orcha
 * made is trusted; the API key and the permission mode are the ones orcha launched with), asks a person
 * about every other dialog and about a screen it cannot read, types the prompt (and later messages) only
 * into a ready input box, and reports a turn as complete when the input box is ready again.
 */
export function createScreenDriver(options: ScreenDriverOptions) {
  const { controller, name } = options;
  let state: 'starting' | 'working' | 'idle' = 'starting';
  let stopped = false;
  let sawBusy = false;
  let submittedAt = 0;
  /** Turns completed by this run: the model calls a screen lets orcha count. */
  let turns = 0;
  let unknownSince: number | null = null;
  /** What the person was last asked about (a dialog's name, or `unknown`): asked once until it passes. */
  let askedAbout: string | null = null;
  /** Dialogs orcha failed to answer: from now on a person answers them. */
  const givenUp = new Set<TerminalDialog>();
  /** The message being worked on: typed again once if the agent shows no sign of having received it. */
  let current: { text: string; retyped: boolean } | null = null;
  const queue: { text: string; done: (error?: Error) => void; retyped?: boolean }[] = [];
  const reportFailure = (error?: Error) => {
    if (error) options.push({ type: 'error', kind: 'other', message: error.message, resetsAt: null });
  };
  if (options.prompt) queue.push({ text: options.prompt, done: reportFailure });
  let wakeUp: (() => void) | undefined;

  /** Nothing to type, no turn running, nothing unrecognised: the screen only needs an occasional look. */
  const resting = () => state === 'idle' && queue.length === 0 && unknownSince === null;

  const attention = (about: string, message: string, screen: string) => {
    if (askedAbout === about) return;
    askedAbout = about;
    options.push({
      type: 'attention',
      message: `${message}; attach with: ${controller.attachCommand(name)}`,
      screen,
    });
  };

  const policy = (dialog: TerminalDialog): boolean => {
    switch (dialog) {
      case 'workspace-trust':
        return options.trustedWorkspace;
      case 'api-key':
      case 'bypass-permissions':
        // orcha launched the agent with this key and this permission mode: confirming is its own choice.
        return true;
      case 'command-approval':
        return false;
      default: {
        const unknown: never = dialog;
        throw new OrchaError('internal', `unknown dialog ${String(unknown)}`);
      }
    }
  };

  /**
   * The screen once it has stayed the same for `stableMs` (at most `answerSettleMs` of waiting): a TUI
   * still starting up can draw a dialog afresh, resetting its selection, just after showing it.
   */
  const settledScreen = async (): Promise<string | null> => {
    const deadline = Date.now() + answerSettleMs;
    let last = await controller.capturePane(name).catch(() => null);
    let since = Date.now();
    while (last !== null && !stopped && Date.now() < deadline && Date.now() - since < stableMs) {
      await delay(100);
      const now = await controller.capturePane(name).catch(() => null);
      if (now !== last) since = Date.now();
      last = now;
    }
    return last;
  };

  /**
   * Moves the selection to the accepting answer and presses Enter only once the screen, settled, shows
   * it selected; then checks the dialog went away. Retried from what the screen shows, never by
   * replaying keys blindly: a key pressed twice would land on whatever the screen shows next.
   */
  const answer = async (dialog: TerminalDialog): Promise<boolean> => {
    for (let attempt = 0; attempt < answerAttempts && !stopped; attempt++) {
      const screen = await settledScreen();
      const reading = screen === null ? null : options.readScreen(screen);
      if (reading?.kind !== 'dialog' || reading.dialog !== dialog) return true;
      const moves = reading.accept.slice(0, -1);
      for (const key of moves.length > 0 ? moves : ['Enter']) await controller.sendKeys(name, [key]);
    }
    const screen = await settledScreen();
    const reading = screen === null ? null : options.readScreen(screen);
    return reading?.kind !== 'dialog' || reading.dialog !== dialog;
  };

  const submit = async () => {
    const next = queue.shift();
    if (!next) return;
    const result = await controller.sendText(name, next.text).catch((error: unknown) => error as Error);
    if (result instanceof Error || !result.entered) {
      const error =
        result instanceof Error
          ? result
          : new OrchaError('unavailable', `the program in ${name} did not take the input`);
      next.done(error);
      return;
    }
    state = 'working';
    sawBusy = false;
    submittedAt = Date.now();
    current = { text: next.text, retyped: next.retyped ?? false };
    next.done();
  };

  /** The agent never looked busy and its screen does not show the message: it never arrived. */
  const lost = (screen: string): boolean => {
    if (sawBusy || !current || current.retyped) return false;
    const start = current.text.trim().split('\n')[0]!.trim().slice(0, 24);
    return start !== '' && !screen.includes(start);
  };

  const act = async (reading: ScreenReading, screen: string) => {
    if (reading.kind !== 'unknown') unknownSince = null;
    switch (reading.kind) {
      case 'dialog': {
        if (!policy(reading.dialog) || givenUp.has(reading.dialog)) {
          attention(
            reading.dialog,
            `the agent asks: ${reading.dialog} (orcha does not answer this for you)`,
            reading.text,
          );
          return;
        }
        if (!(await answer(reading.dialog))) {
          givenUp.add(reading.dialog);
          attention(
            reading.dialog,
            `the agent still asks: ${reading.dialog} after orcha answered`,
            reading.text,
          );
        }
        return;
      }
      case 'busy':
        askedAbout = null;
        sawBusy = true;
        // Re-attached to an agent in the middle of a turn: its end is this run's first turn-complete.
        if (state === 'starting' && options.prompt === undefined) {
          state = 'working';
          submittedAt = Date.now();
        }
        return;
      case 'ready':
        askedAbout = null;
        if (state === 'working' && (sawBusy || Date.now() - submittedAt >= options.quietMs)) {
          if (lost(screen)) {
            queue.unshift({ text: current!.text, done: () => {}, retyped: true });
          } else {
            // A TUI shows no usage: a turn is counted as one model call (the calls within it, tokens and
            // USD are not visible on a screen), reported before the turn ends so a budget stops the next.
            turns++;
            options.push({
              type: 'usage',
              usage: { inputTokens: 0, outputTokens: 0, costUsd: 0, modelCalls: turns, cumulative: true },
            });
            options.push({ type: 'turn-complete', result: reading.reply, isError: reading.isError ?? false });
          }
          state = 'idle';
        }
        if (state !== 'working') {
          if (state === 'starting') state = 'idle';
          await submit();
        }
        return;
      case 'unknown':
        // Also mid-turn: an agent that neither works nor waits for input is asking something.
        unknownSince ??= Date.now();
        if (Date.now() - unknownSince >= options.unknownScreenMs) {
          attention('unknown', 'the agent shows a screen orcha does not recognise', screen);
        }
        return;
      default: {
        const unknown: never = reading;
        throw new OrchaError('internal', `unknown screen reading ${String(unknown)}`);
      }
    }
  };

  const loop = (async () => {
    while (!stopped) {
      const screen = await controller.capturePane(name).catch(() => null);
      if (screen === null || stopped) break;
      await act(options.readScreen(screen), screen).catch(() => {});
      const pause = resting() ? idleMs : watchMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pause);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    for (const waiting of queue.splice(0)) {
      waiting.done(new OrchaError('unavailable', `tmux session ${name} has ended`));
    }
  })();

  return {
    /** Pane output arrived: look at the screen again now. */
    wake: () => wakeUp?.(),
    /**
     * Queues `text` to be typed as soon as the input box is ready (a turn in progress is not interrupted).
     * Resolves at once, so a sender never waits for a turn; a message the program does not take becomes
     * an error event.
     */
    send(text: string): void {
      queue.push({ text, done: reportFailure });
      wakeUp?.();
    },
    async stop() {
      stopped = true;
      wakeUp?.();
      await loop;
    },
  };
}
