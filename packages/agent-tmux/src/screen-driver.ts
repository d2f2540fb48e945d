import type { AgentEvent, ScreenReading, TerminalDialog } from '@orcha/agent';
import { OrchaError } from '@orcha/model';
import type { TmuxController } from '@orcha/tmux';

export interface ScreenDriverOptions {
  controller: TmuxController;
  name: string;
  readScreen: (screen: string) => ScreenReading;
  push: (event: AgentEvent) => void;
  /** The spec's prompt: typed once the input box is ready. */
  prompt: string | undefined;
  /** The directory is a workspace orcha made: the agent's trust question is answered yes. */
  trustedWorkspace: boolean;
  /** How long a screen may stay unrecognised (while no turn runs) before a person is asked. */
  unknownScreenMs: number;
  /** A turn whose busy screen was never seen counts as done after the input box stayed ready this long. */
  quietMs: number;
}

/** How often the screen is read while something is expected; pane output wakes the driver sooner. */
const watchMs = 400;
/** How often an idle agent's screen is read (a dialog may appear without our input). */
const idleMs = 5_000;
/** How long an answered dialog may take to go away before it is read again. */
const answerSettleMs = 3_000;
/** A dialog still showing after this many answers goes to a person. */
const maxAnswers = 3;

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
  let unknownSince: number | null = null;
  let askedAbout: string | null = null;
  const answers = new Map<TerminalDialog, number>();
  const queue: { text: string; done: (error?: Error) => void }[] = [];
  if (options.prompt) {
    queue.push({
      text: options.prompt,
      done: (error) => {
        if (error) options.push({ type: 'error', kind: 'other', message: error.message, resetsAt: null });
      },
    });
  }
  let wakeUp: (() => void) | undefined;

  /** Nothing to type, no turn running, nothing unrecognised: the screen only needs an occasional look. */
  const resting = () => state === 'idle' && queue.length === 0 && unknownSince === null;

  const attention = (message: string, screen: string) => {
    if (askedAbout === screen) return;
    askedAbout = screen;
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

  /** Waits (a few seconds at most) for the screen to differ from `before`: the keys were taken. */
  const screenChange = async (before: string) => {
    const deadline = Date.now() + answerSettleMs;
    while (!stopped && Date.now() < deadline) {
      const now = await controller.capturePane(name).catch(() => null);
      if (now === null || now !== before) return;
      await new Promise<void>((resolve) => setTimeout(resolve, 50));
    }
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
    next.done();
  };

  const act = async (reading: ScreenReading, screen: string) => {
    if (reading.kind !== 'unknown') unknownSince = null;
    switch (reading.kind) {
      case 'dialog': {
        const count = answers.get(reading.dialog) ?? 0;
        if (!policy(reading.dialog) || count >= maxAnswers) {
          attention(`the agent asks: ${reading.dialog} (orcha does not answer this for you)`, reading.text);
          return;
        }
        answers.set(reading.dialog, count + 1);
        for (const key of reading.accept) await controller.sendKeys(name, [key]);
        await screenChange(screen);
        return;
      }
      case 'busy':
        askedAbout = null;
        sawBusy = true;
        return;
      case 'ready':
        askedAbout = null;
        if (state === 'working' && (sawBusy || Date.now() - submittedAt >= options.quietMs)) {
          state = 'idle';
          options.push({ type: 'turn-complete', result: reading.reply, isError: false });
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
          attention('the agent shows a screen orcha does not recognise', screen);
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
    /** Types `text` as soon as the input box is ready; resolves once the program has taken it. */
    send(text: string): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        queue.push({ text, done: (error) => (error ? reject(error) : resolve()) });
        wakeUp?.();
      });
    },
    async stop() {
      stopped = true;
      wakeUp?.();
      await loop;
    },
  };
}
