import type { AgentEvent, AgentExit, AgentRun } from '@orcha/agent';
import { AsyncQueue, poll } from '@orcha/exec';
import { OrchaError } from '@orcha/model';
import type { TmuxController } from '@orcha/tmux';
import { AnsiStripper } from './ansi-stripper.js';
import { createScreenDriver, type ScreenDriverOptions } from './screen-driver.js';

export interface TmuxRunOptions {
  controller: TmuxController;
  name: string;
  model: string | null;
  /** Where in the pane log to start following (0 for a new session, the end for a re-attach). */
  fromOffset: number;
  /** Text to type once the program has printed its first output (a new session's prompt). */
  firstInput?: string | undefined;
  /** What the screen looked like when we re-attached: recorded first so the transcript has it. */
  screen?: { text: string; raw: string } | undefined;
  /** An agent's TUI: driven by reading its screen (dialogs, ready input box, turns) instead of `firstInput`. */
  terminal?: Omit<ScreenDriverOptions, 'controller' | 'name' | 'push'> | undefined;
  /** Runs once the run has ended (removes what the launch left, such as a temp MCP config). */
  cleanup?: (() => Promise<void>) | undefined;
}

/** A live tmux session as an AgentRun: pane log → `output` events, send-keys ← `send`, exit from the pane. */
export function createTmuxRun(options: TmuxRunOptions): AgentRun {
  const { controller, name } = options;
  const events = new AsyncQueue<AgentEvent>();
  const follow = new AbortController();
  let canceled = false;
  let exit: AgentExit | undefined;
  let firstInput = options.firstInput;

  events.push({ type: 'started', providerSessionId: null, model: options.model });
  if (options.screen) events.push({ type: 'output', ...options.screen });
  const driver = options.terminal
    ? createScreenDriver({ ...options.terminal, controller, name, push: (event) => events.push(event) })
    : null;

  const typeFirstInput = () => {
    const text = firstInput;
    firstInput = undefined;
    if (text) void controller.sendText(name, text).catch(() => {});
  };

  const canceledExit = (): AgentExit => ({ type: 'exited', code: null, reason: 'canceled' });

  /** The follow ended: the program is gone. Read how it ended, then remove the dead session. */
  const settle = async (): Promise<AgentExit> => {
    const read = () => controller.paneStatus(name).catch(() => null);
    // The follow can end early if its reader failed; the program may still be running: wait for it.
    await poll(
      async () => {
        const now = await read();
        return !now || now.dead || canceled;
      },
      { intervalMs: 250 },
    );
    if (canceled) return canceledExit();
    const status = await read();
    await controller.killSession(name, { removeLog: true }).catch(() => {});
    if (!status) {
      events.push({
        type: 'error',
        kind: 'crashed',
        message: `tmux session ${name} disappeared`,
        resetsAt: null,
      });
      return { type: 'exited', code: null, reason: 'crashed' };
    }
    if (status.signal !== null) {
      const message = `the program in ${name} was killed by signal ${status.signal}`;
      events.push({ type: 'error', kind: 'crashed', message, resetsAt: null });
      return { type: 'exited', code: null, reason: 'crashed' };
    }
    if (status.exitCode !== 0) {
      const message = `the program in ${name} exited with code ${status.exitCode}`;
      events.push({ type: 'error', kind: 'other', message, resetsAt: null });
      return { type: 'exited', code: status.exitCode, reason: 'failed' };
    }
    return { type: 'exited', code: 0, reason: 'completed' };
  };

  const finished: Promise<AgentExit> = (async () => {
    const decoder = new TextDecoder();
    const stripper = new AnsiStripper();
    try {
      for await (const chunk of controller.followPane(name, {
        fromOffset: options.fromOffset,
        signal: follow.signal,
      })) {
        const raw = decoder.decode(chunk.data, { stream: true });
        if (raw) events.push({ type: 'output', text: stripper.push(raw), raw });
        if (driver) driver.wake();
        else typeFirstInput();
      }
    } catch (error) {
      if (!canceled) events.push({ type: 'error', kind: 'other', message: describe(error), resetsAt: null });
    }
    await driver?.stop();
    return canceled ? canceledExit() : settle();
  })().then(async (result) => {
    await options.cleanup?.().catch(() => {});
    exit = result;
    events.push(result);
    events.end();
    return result;
  });

  return {
    events,
    attachName: name,
    attachCommand: controller.attachCommand(name),
    async send(text) {
      if (exit || canceled) throw new OrchaError('unavailable', `tmux session ${name} has ended`);
      if (driver) {
        driver.send(text);
        return;
      }
      const result = await controller.sendText(name, text);
      if (!result.entered) {
        throw new OrchaError('unavailable', `the program in ${name} did not take the input`, { ...result });
      }
    },
    async cancel() {
      if (exit) return;
      canceled = true;
      await controller.killSession(name, { removeLog: true });
      follow.abort();
      await finished;
    },
    wait: () => finished,
    snapshot: () => controller.capturePane(name),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
