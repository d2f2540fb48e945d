import { createIdGenerator, type OrchaEvent } from '@orcha/model';
import { afterEach, describe, expect, it } from 'vitest';
import { createStore, type NotificationDraft } from '../src/index.js';
import { openTestStore } from './helpers.js';

let cleanup = () => {};
afterEach(() => cleanup());

const questionsOnly = (event: OrchaEvent): NotificationDraft | null =>
  event.type === 'question-open'
    ? {
        kind: `question.${event.kind}`,
        title: 'needs you',
        body: event.questionId,
        objectiveId: event.objectiveId,
      }
    : null;

describe('the notification outbox', () => {
  it('derives each notifying event once, past a cursor that survives a reopen, with a stable key', () => {
    const opened = openTestStore();
    cleanup = opened.cleanup;
    const { store } = opened;
    const { objective } = store.createObjective({ title: 'outbox', prompt: '', agent: 'fake' });
    const question = store.openQuestion({ objectiveId: objective.id, kind: 'ask_user', prompt: 'which?' });
    expect(store.deriveNotifications(questionsOnly, ['hook'])).toBeGreaterThan(0);
    expect(store.deriveNotifications(questionsOnly, ['hook'])).toBe(0);
    const [first] = store.listNotifications();
    expect(first).toMatchObject({ kind: 'question.ask_user', body: question.id, objectiveId: objective.id });
    expect(first!.key).toBe(`orcha-event-${first!.eventId}`);
    expect(first!.deliveries).toEqual([
      expect.objectContaining({ sink: 'hook', status: 'pending', attempts: 0, lastError: null }),
    ]);

    // Written but not yet derived when the process dies: the reopened store still has it to derive.
    store.openQuestion({ objectiveId: objective.id, kind: 'loop_guard', prompt: 'stuck' });
    store.close();
    const reopened = createStore({
      ...opened.location,
      clock: () => opened.clock.now,
      ids: createIdGenerator(Date.now, () => 5),
    });
    cleanup = () => {
      reopened.close();
      opened.cleanup();
    };
    expect(reopened.deriveNotifications(questionsOnly, ['hook'])).toBe(1);
    const listed = reopened.listNotifications();
    expect(listed.map((n) => n.kind)).toEqual(['question.loop_guard', 'question.ask_user']);
    expect(listed[1]!.key).toBe(first!.key);
  });

  it('hands out due deliveries, records retries and success, and gives up when told to', () => {
    const opened = openTestStore();
    cleanup = opened.cleanup;
    const { store, clock } = opened;
    const { objective } = store.createObjective({ title: 'outbox', prompt: '', agent: 'fake' });
    store.openQuestion({ objectiveId: objective.id, kind: 'ask_user', prompt: 'which?' });
    store.deriveNotifications(questionsOnly, ['a', 'b']);
    const due = store.dueDeliveries(clock.now, ['a', 'b']);
    expect(due.map((d) => d.delivery.sink)).toEqual(['a', 'b']);
    const id = due[0]!.notification.id;

    store.recordDeliveryAttempt(id, 'a', { ok: false, error: 'HTTP 500', retryAt: clock.now + 1_000 });
    store.recordDeliveryAttempt(id, 'b', { ok: false, error: 'refused', retryAt: null });
    expect(store.dueDeliveries(clock.now, ['a', 'b'])).toEqual([]);
    expect(store.nextDeliveryAt(['a', 'b'])).toBe(clock.now + 1_000);
    clock.now += 1_000;
    expect(store.dueDeliveries(clock.now, ['a', 'b']).map((d) => d.delivery.attempts)).toEqual([1]);
    store.recordDeliveryAttempt(id, 'a', { ok: true });
    expect(store.nextDeliveryAt(['a', 'b'])).toBeNull();

    const [notification] = store.listNotifications();
    expect(notification!.deliveries).toEqual([
      expect.objectContaining({
        sink: 'a',
        status: 'delivered',
        attempts: 2,
        lastError: null,
        deliveredAt: clock.now,
      }),
      expect.objectContaining({ sink: 'b', status: 'failed', attempts: 1, lastError: 'refused' }),
    ]);
    // A finished delivery takes no further attempts, and bad outcomes are refused.
    expect(() => store.recordDeliveryAttempt(id, 'a', { ok: true })).toThrow(/already delivered/);
    expect(() => store.recordDeliveryAttempt(id, 'c', { ok: true })).toThrow(/no delivery/);
    expect(() =>
      store.recordDeliveryAttempt(id, 'a', { ok: false, error: 'x', retryAt: -1 } as never),
    ).toThrow(/delivery outcome/);
  });
});
