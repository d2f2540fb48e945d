import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdGenerator } from '@orcha/model';
import { createStore, type Notification, type Store } from '@orcha/store';
import { afterEach, describe, expect, it } from 'vitest';
import { personSwitchReason } from './failover.js';
import { backoffDelay, createNotifier, type NotificationSink } from './notifications.js';

let cleanup = () => {};
let cleanupNotifier = async () => {};
afterEach(async () => {
  await cleanupNotifier();
  cleanupNotifier = async () => {};
  cleanup();
});

function openStore(clock: { now: number }): Store {
  const dir = mkdtempSync(join(tmpdir(), 'orcha-notify-'));
  const store = createStore({
    path: join(dir, 'orcha.db'),
    clock: () => clock.now,
    ids: createIdGenerator(
      () => clock.now,
      () => 7,
    ),
  });
  cleanup = () => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return store;
}

/** A timer queue driven by the test's clock: `advance` runs what falls due, in order. */
function manualTimers(clock: { now: number }) {
  let timers: { at: number; run: () => void }[] = [];
  return {
    setTimer(run: () => void, ms: number) {
      const timer = { at: clock.now + ms, run };
      timers.push(timer);
      return () => {
        timers = timers.filter((t) => t !== timer);
      };
    },
    pending: () => timers.map((t) => t.at - clock.now),
    advance(ms: number) {
      clock.now += ms;
      const due = timers.filter((t) => t.at <= clock.now);
      timers = timers.filter((t) => t.at > clock.now);
      for (const timer of due) timer.run();
    },
  };
}

/** A receiver that refuses the first `failures` attempts. */
function flakySink(name: string, failures: number) {
  const attempts: { key: string; at: number }[] = [];
  const sink: NotificationSink = {
    name,
    async send(notification: Notification) {
      attempts.push({ key: notification.key, at: Date.now() });
      if (attempts.length <= failures) throw new Error(`HTTP 503 (attempt ${attempts.length})`);
    },
  };
  return { sink, attempts };
}

describe('backoff', () => {
  it('doubles from the base after each failure and stops at the cap', () => {
    const policy = { baseMs: 1_000, maxMs: 10_000 };
    expect([0, 1, 2, 3, 4, 5, 60].map((n) => backoffDelay(n, policy))).toEqual([
      1_000, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
  });
});

describe('the notifier', () => {
  it('retries a failing sink with exponential backoff on an injected clock, with the same key, then delivers', async () => {
    const clock = { now: 1_800_000_000_000 };
    const store = openStore(clock);
    const timers = manualTimers(clock);
    const flaky = flakySink('hook', 3);
    const notifier = createNotifier({
      store,
      sinks: [flaky.sink],
      clock: () => clock.now,
      setTimer: timers.setTimer,
      retry: { baseMs: 1_000, maxMs: 60_000, maxAttempts: 10 },
    });
    const { objective } = store.createObjective({ title: 'ship it', prompt: '', agent: 'fake' });
    store.openQuestion({ objectiveId: objective.id, kind: 'ask_user', prompt: 'Which database?' });
    notifier.start();
    cleanupNotifier = () => notifier.stop();
    await notifier.flush();
    expect(flaky.attempts).toHaveLength(1);
    expect(timers.pending()).toEqual([1_000]);

    timers.advance(999);
    await notifier.flush();
    expect(flaky.attempts).toHaveLength(1); // not due yet
    timers.advance(1);
    await notifier.flush();
    expect(flaky.attempts).toHaveLength(2);
    expect(timers.pending()).toEqual([2_000]);
    timers.advance(2_000);
    await notifier.flush();
    expect(timers.pending()).toEqual([4_000]);
    timers.advance(4_000);
    await notifier.flush();
    expect(flaky.attempts).toHaveLength(4);
    expect(new Set(flaky.attempts.map((a) => a.key)).size).toBe(1);
    expect(timers.pending()).toEqual([]);

    const [notification] = store.listNotifications();
    expect(notification).toMatchObject({ kind: 'question.ask_user', body: 'Which database?' });
    expect(notification!.title).toContain('ship it');
    expect(notification!.deliveries).toEqual([
      expect.objectContaining({ sink: 'hook', status: 'delivered', attempts: 4, lastError: null }),
    ]);
  });

  it('sets no timer for a delivery while its attempt is in flight, and pumps again when it ends', async () => {
    const clock = { now: 1_800_000_000_000 };
    const store = openStore(clock);
    const timers = manualTimers(clock);
    const releases: (() => void)[] = [];
    const slow: NotificationSink = {
      name: 'slow',
      send: () => new Promise<void>((resolve) => releases.push(resolve)),
    };
    const sent = () => releases.length;
    const notifier = createNotifier({
      store,
      sinks: [slow],
      clock: () => clock.now,
      setTimer: timers.setTimer,
    });
    const { objective } = store.createObjective({ title: 'slow', prompt: '', agent: 'fake' });
    store.openQuestion({ objectiveId: objective.id, kind: 'ask_user', prompt: 'first?' });
    notifier.start();
    cleanupNotifier = () => notifier.stop();
    expect(sent()).toBe(1);
    expect(timers.pending()).toEqual([]); // not a timer spinning at 0 ms while the receiver thinks
    store.openQuestion({ objectiveId: objective.id, kind: 'ask_user', prompt: 'second?' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent()).toBe(2); // another notification does not wait for the slow one
    for (const release of releases) release();
    await notifier.flush();
    expect(store.listNotifications().map((n) => n.deliveries[0]!.status)).toEqual(['delivered', 'delivered']);
  });

  it('gives up after the last attempt and records why', async () => {
    const clock = { now: 1_800_000_000_000 };
    const store = openStore(clock);
    const timers = manualTimers(clock);
    const down = flakySink('down', 99);
    const notifier = createNotifier({
      store,
      sinks: [down.sink],
      clock: () => clock.now,
      setTimer: timers.setTimer,
      retry: { baseMs: 10, maxMs: 10, maxAttempts: 3 },
    });
    const { objective } = store.createObjective({ title: 'doomed', prompt: '', agent: 'fake' });
    store.updateObjectiveStatus(objective.id, 'canceled', 'the person stopped it');
    notifier.start();
    cleanupNotifier = () => notifier.stop();
    await notifier.flush();
    timers.advance(10);
    await notifier.flush();
    timers.advance(10);
    await notifier.flush();
    expect(down.attempts).toHaveLength(3);
    expect(timers.pending()).toEqual([]);
    const [notification] = store.listNotifications();
    expect(notification).toMatchObject({ kind: 'objective.canceled', title: 'doomed was canceled' });
    expect(notification!.deliveries[0]).toMatchObject({
      status: 'failed',
      attempts: 3,
      lastError: 'HTTP 503 (attempt 3)',
    });
  });

  it('is woken by the store’s events once started, and tells nothing for events nobody needs', async () => {
    const clock = { now: 1_800_000_000_000 };
    const store = openStore(clock);
    const received: Notification[] = [];
    let arrived: () => void = () => {};
    const sink: NotificationSink = {
      name: 'hook',
      async send(notification) {
        received.push(notification);
        arrived();
      },
    };
    const notifier = createNotifier({ store, sinks: [sink], clock: () => clock.now });
    const { objective, manager } = store.createObjective({ title: 'wake', prompt: '', agent: 'fake' });
    notifier.start();
    try {
      const delivered = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      store.updateSession(manager.id, { lastActivity: 'thinking' });
      store.updateObjectiveStatus(objective.id, 'done', 'all merged');
      await delivered;
      expect(received.map((n) => [n.kind, n.title, n.body])).toEqual([
        ['objective.done', 'wake is done', 'all merged'],
      ]);
    } finally {
      await notifier.stop();
    }
  });

  it('tells the person a session failed over to another agent, not when they moved it themselves', async () => {
    const clock = { now: 1_800_000_000_000 };
    const store = openStore(clock);
    const received: Notification[] = [];
    const sink: NotificationSink = {
      name: 'hook',
      async send(notification) {
        received.push(notification);
      },
    };
    const notifier = createNotifier({ store, sinks: [sink], clock: () => clock.now });
    const { manager } = store.createObjective({ title: 'Search', prompt: '', agent: 'claude' });
    store.switchSessionAgent(manager.id, { to: 'codex', reason: 'claude is out of usage until tomorrow' });
    store.switchSessionAgent(manager.id, { to: 'claude', reason: personSwitchReason });
    await notifier.flush();
    await notifier.stop();
    expect(received.map((n) => [n.kind, n.title, n.body])).toEqual([
      [
        'session.failover',
        'Search: a session continues on codex',
        `Session "${manager.title}" continues on codex (was claude): claude is out of usage until tomorrow. Same task, same workspace.`,
      ],
    ]);
  });
});
