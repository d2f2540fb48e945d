import { poll } from '@orcha/exec';
import { createIdGenerator } from '@orcha/model';
import type { AgentEvent, AgentRun } from '../agent-provider.js';

/**
 * A run's events, read once in the background so nothing is missed between waits. `events` grows as
 * they arrive; `ended` turns true when the iterable ends.
 */
export interface EventLog {
  readonly events: readonly AgentEvent[];
  readonly ended: boolean;
  /** Waits for the iterable to end (after `exited`) and returns every event. */
  end(timeoutMs: number): Promise<readonly AgentEvent[]>;
}

interface LogState extends EventLog {
  ended: boolean;
  /** Where the next `collectUntil` starts reading. */
  cursor: number;
  changed(): Promise<void>;
  failure: unknown;
}

const logs = new WeakMap<AgentRun, LogState>();

/** The one event log of a run (created on first use; a run's events can be read only once). */
export function eventLog(run: AgentRun): EventLog {
  return stateOf(run);
}

function stateOf(run: AgentRun): LogState {
  const existing = logs.get(run);
  if (existing) return existing;
  const events: AgentEvent[] = [];
  let wake: () => void = () => {};
  let signal = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const notify = () => {
    const current = wake;
    signal = new Promise<void>((resolve) => {
      wake = resolve;
    });
    current();
  };
  const state: LogState = {
    events,
    ended: false,
    cursor: 0,
    failure: undefined,
    changed: () => signal,
    async end(timeoutMs) {
      await waitFor(state, () => state.ended, timeoutMs, 'the end of the events');
      return events;
    },
  };
  logs.set(run, state);
  void (async () => {
    try {
      for await (const event of run.events) {
        events.push(event);
        notify();
      }
    } catch (error) {
      state.failure = error;
    }
    state.ended = true;
    notify();
  })();
  return state;
}

async function waitFor(state: LogState, done: () => boolean, timeoutMs: number, what: string) {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    while (!done()) {
      if (state.failure) throw state.failure;
      const changed = state.changed();
      if (done()) break;
      if ((await Promise.race([changed, timedOut])) === 'timeout') {
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for ${what}; saw: ${describeEvents(state.events)}`,
        );
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads a run's events up to and including the first one matching `predicate`, starting where the
 * previous `collectUntil` on the same run stopped, and returns them. `predicate` also gets the events of
 * this call so far (including `event`). Rejects on timeout, or when the events end without a match.
 */
export async function collectUntil(
  run: AgentRun,
  predicate: (event: AgentEvent, collected: readonly AgentEvent[]) => boolean,
  timeoutMs: number,
): Promise<AgentEvent[]> {
  const state = stateOf(run);
  const start = state.cursor;
  let matched = -1;
  let checked = start;
  const found = () => {
    for (; checked < state.events.length; checked++) {
      const event = state.events[checked] as AgentEvent;
      if (predicate(event, state.events.slice(start, checked + 1))) {
        matched = checked;
        return true;
      }
    }
    if (state.ended) {
      throw new Error(`the events ended without a match; saw: ${describeEvents(state.events.slice(start))}`);
    }
    return false;
  };
  await waitFor(state, found, timeoutMs, 'a matching event');
  state.cursor = matched + 1;
  return state.events.slice(start, matched + 1);
}

/** A compact one-line description of events, for failure messages. */
export function describeEvents(events: readonly AgentEvent[]): string {
  return events
    .map((event) => {
      if (event.type === 'text' || event.type === 'output')
        return `${event.type}(${JSON.stringify(event.text)})`;
      if (event.type === 'error') return `error(${event.kind}: ${event.message})`;
      if (event.type === 'exited') return `exited(${event.reason}, ${event.code})`;
      return event.type;
    })
    .join(', ');
}

/** What the agent said: its `text` events, joined. */
export function textOf(events: readonly AgentEvent[]): string {
  return events.flatMap((event) => (event.type === 'text' ? [event.text] : [])).join('');
}

/** What a terminal agent printed: its `output` events (ANSI stripped), joined. */
export function outputOf(events: readonly AgentEvent[]): string {
  return events.flatMap((event) => (event.type === 'output' ? [event.text] : [])).join('');
}

/**
 * Whether the agent answered `words`: its `text` contains them, or — for terminal agents, whose screen
 * also echoes what was typed — a printed line is exactly `words`.
 */
export function answered(events: readonly AgentEvent[], words: string): boolean {
  if (textOf(events).includes(words)) return true;
  return outputOf(events)
    .split(/\r?\n|\r/)
    .some((line) => line.trim() === words);
}

const sessionIds = createIdGenerator(Date.now, () => Math.random() * 32);

/** A fresh, valid orcha session id (`ses_…`), unique per call. */
export function newSessionId(): string {
  return sessionIds('session');
}

/** Polls `check` every 50 ms until it returns true; rejects with `what` after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  if (!(await poll(check, { intervalMs: 50, timeoutMs })))
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
