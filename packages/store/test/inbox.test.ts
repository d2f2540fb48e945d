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
