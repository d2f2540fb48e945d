import { createIdGenerator } from '@orcha/model';
import { afterEach, describe, expect, it } from 'vitest';
import { createStore } from '../src/index.js';
import { openTestStore } from './helpers.js';

let cleanup = () => {};
afterEach(() => cleanup());

describe('a session inbox', () => {
  it('keeps messages in order across a reopen and hands them out once', () => {
    const opened = openTestStore();
    cleanup = opened.cleanup;
    const { store } = opened;
    const { manager } = store.createObjective({ title: 'inbox', prompt: '', agent: 'fake' });
    store.queueInput(manager.id, 'first');
    store.queueInput(manager.id, 'second');
    expect(store.pendingInputCount(manager.id)).toBe(2);
    store.close();

    const reopened = createStore({
      ...opened.location,
      clock: Date.now,
      ids: createIdGenerator(Date.now, () => 3),
    });
    cleanup = () => {
      reopened.close();
      opened.cleanup();
    };
    expect(reopened.takeInput(manager.id)).toEqual(['first', 'second']);
    expect(reopened.takeInput(manager.id)).toEqual([]);
    reopened.queueInput(manager.id, 'third');
    reopened.dropInput(manager.id);
    expect(reopened.pendingInputCount(manager.id)).toBe(0);
  });

  it('keeps a handed message until its run answers it, and gives it back when the run is gone first', () => {
    const opened = openTestStore();
    cleanup = opened.cleanup;
    const { store } = opened;
    const { manager } = store.createObjective({ title: 'inbox', prompt: '', agent: 'fake' });
    store.queueInput(manager.id, 'first');
    expect(store.takeInput(manager.id)).toEqual(['first']);
    store.queueInput(manager.id, 'second');
    // Only what waits for the next start counts; the handed message belongs to the live run.
    expect(store.pendingInputCount(manager.id)).toBe(1);
    expect(store.listInput(manager.id)).toEqual([
      { text: 'first', handed: true },
      { text: 'second', handed: false },
    ]);
    expect(store.requeueInput(manager.id)).toBe(1);
    expect(store.takeInput(manager.id)).toEqual(['first', 'second']);
    store.close();

    // A crash with messages handed: the next start gives every one of them back.
    const reopened = createStore({
      ...opened.location,
      clock: Date.now,
      ids: createIdGenerator(Date.now, () => 3),
    });
    cleanup = () => {
      reopened.close();
      opened.cleanup();
    };
    expect(reopened.pendingInputCount(manager.id)).toBe(0);
    expect(reopened.sessionsWithHandedInput()).toEqual([manager.id]);
    expect(reopened.requeueInput()).toBe(2);
    expect(reopened.sessionsWithHandedInput()).toEqual([]);
    expect(reopened.takeInput(manager.id)).toEqual(['first', 'second']);
    reopened.ackInput(manager.id);
    expect(reopened.requeueInput()).toBe(0);
    expect(reopened.takeInput(manager.id)).toEqual([]);
  });

  /** A store with one objective: its manager and one worker, both still open. */
  const managerAndWorker = () => {
    const opened = openTestStore();
    cleanup = opened.cleanup;
    const { store } = opened;
    const { manager, objective } = store.createObjective({ title: 'inbox', prompt: '', agent: 'fake' });
    const worker = store.createSession({
      objectiveId: objective.id,
      parentId: manager.id,
      role: 'worker',
      agent: 'fake',
      title: 'w',
      prompt: 'p',
    });
    return { store, manager, worker };
  };

  it('lists finished workers until their manager is recorded as told', () => {
    const { store, worker } = managerAndWorker();
    expect(store.finishedWorkersUntold()).toEqual([]);
    store.updateSessionStatus(worker.id, 'canceled', { reason: 'test' });
    expect(store.finishedWorkersUntold().map((s) => s.id)).toEqual([worker.id]);
    store.recordManagerTold(worker.id);
    store.recordManagerTold(worker.id);
    expect(store.finishedWorkersUntold()).toEqual([]);
  });

  it('never lists a worker whose manager ended: history is not replayed to it', () => {
    const { store, manager, worker } = managerAndWorker();
    store.updateSessionStatus(worker.id, 'canceled', { reason: 'test' });
    store.updateSessionStatus(manager.id, 'canceled', { reason: 'test' });
    expect(store.finishedWorkersUntold()).toEqual([]);
  });

  it('refuses bad input and unknown sessions without writing', () => {
    const opened = openTestStore();
    cleanup = opened.cleanup;
    const { store } = opened;
    const { manager } = store.createObjective({ title: 'inbox', prompt: '', agent: 'fake' });
    expect(() => store.queueInput(manager.id, '')).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    );
    expect(() => store.queueInput('ses_01M895JFJNJPBCM98GXP415552', 'x')).toThrow(
      expect.objectContaining({ code: 'not_found' }),
    );
    expect(store.pendingInputCount(manager.id)).toBe(0);
  });
});
