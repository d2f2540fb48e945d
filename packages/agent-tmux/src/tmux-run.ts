import type { AgentEvent, AgentExit, AgentRun } from '@orcha/agent';
import { AsyncQueue, delay } from '@orcha/exec';
import { OrchaError } from '@orcha/model';
import type { PaneStatus, TmuxController } from '@orcha/tmux';
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
  /**
   * How long the run waits for its machine to answer again after the connection to it dropped, before it
   * gives the program up as lost. The program lives on in tmux meanwhile; the log is followed on from where
   * it was. Default 10 minutes.
   */
  reconnectWaitMs?: number | undefined;
}

/** The waits between attempts to reach the pane again after a drop (each failed attempt is cheap). */
const reconnectDelaysMs = [100, 200, 300, 500];

/** A live tmux session as an AgentRun: pane log → `output` events, send-keys ← `send`, exit from the pane. */
export function createTmuxRun(options: TmuxRunOptions): AgentRun {
  const { controller, name } = options;
  const events = new AsyncQueue<AgentEvent>();
  const follow = new AbortController();
  let canceled = false;
  /** Orcha stops and leaves the program running in tmux: nothing of it is ended or removed. */
  let detached = false;
  let exit: AgentExit | undefined;
  let firstInput = options.firstInput;
  const reconnectWaitMs = options.reconnectWaitMs ?? 600_000;

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

  /**
   * The pane's state, waiting out a dropped connection: the controller throws only when the machine cannot
   * be reached (a session that is gone is `null`). Gives up after `reconnectWaitMs`.
   */
  const paneStatusThroughDrops = async (): Promise<PaneStatus | null | 'unreachable'> => {
    const giveUpAt = Date.now() + reconnectWaitMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await controller.paneStatus(name);
      } catch {
        if (canceled || Date.now() >= giveUpAt) return 'unreachable';
        await delay(reconnectDelaysMs[Math.min(attempt, reconnectDelaysMs.length - 1)]!);
      }
    }
  };

  /** The follow ended: the program is gone. Read how it ended, then remove the dead session. */
  const settle = async (
    status: PaneStatus | null | 'unreachable' | { unfollowable: string },
  ): Promise<AgentExit> => {
    if (canceled || detached) return canceledExit();
    if (status === 'unreachable') {
      const message = `lost the connection to the machine of ${name} and could not reach it again`;
      events.push({ type: 'error', kind: 'crashed', message, resetsAt: null });
      return { type: 'exited', code: null, reason: 'crashed' };
    }
    await controller.killSession(name, { removeLog: true }).catch(() => {});
    if (status && 'unfollowable' in status) {
      // Unseen, the program cannot be supervised: it was ended above rather than left to run on.
      events.push({ type: 'error', kind: 'crashed', message: status.unfollowable, resetsAt: null });
      return { type: 'exited', code: null, reason: 'crashed' };
    }
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
    let offset = options.fromOffset;
    let status: PaneStatus | null | 'unreachable';
    let failures = 0;
    let failingSince: number | null = null;
    let unfollowable: string | null = null;
    const readOn = async (signal?: AbortSignal) => {
      for await (const chunk of controller.followPane(name, { fromOffset: offset, signal })) {
        offset = chunk.nextOffset;
        const raw = decoder.decode(chunk.data, { stream: true });
        if (raw) events.push({ type: 'output', text: stripper.push(raw), raw });
        if (driver) driver.wake();
        else typeFirstInput();
      }
    };
    // Follow the log; when the follow ends, ask the pane why. A program still running means the connection
    // dropped: follow on from the last byte read (the log is on the machine), so nothing is lost or doubled.
    for (;;) {
      const from = offset;
      let failure: unknown = null;
      try {
        await readOn(follow.signal);
      } catch (error) {
        // A dropped connection, or the log unreadable: the pane says which below.
        failure = error;
      }
      status = canceled || detached ? null : await paneStatusThroughDrops();
      if (canceled || detached || status === null || status === 'unreachable') break;
      // The pane answers but its log could not be followed (a machine back from a drop may refuse a channel
      // for a while): follow again, waiting longer each time, as long as a machine that does not answer
      // would be waited for.
      if (!failure || offset !== from) {
        failingSince = null;
        failures = 0;
      }
      if (failure && !status.dead) {
        failingSince ??= Date.now();
        if (Date.now() - failingSince >= reconnectWaitMs) {
          unfollowable = `could not follow the log of ${name}: ${describe(failure)}`;
          break;
        }
        await delay(reconnectDelaysMs[Math.min(failures++, reconnectDelaysMs.length - 1)]!);
        continue;
      }
      // The program has exited: one last follow (of a dead pane: a read once the pipe has written all)
      // picks up what it wrote before it went.
      if (status.dead) {
        await readOn().catch(() => {});
        break;
      }
      // Alive, and nothing new came: the reader ended early; look again shortly rather than at once.
      if (offset === from) await delay(250);
    }
    await driver?.stop();
    return settle(unfollowable ? { unfollowable } : status);
  })().then(async (result) => {
    if (!detached) await options.cleanup?.().catch(() => {});
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
    detach() {
      if (exit || canceled) return;
      detached = true;
      follow.abort();
    },
    wait: () => finished,
    snapshot: () => controller.capturePane(name),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
