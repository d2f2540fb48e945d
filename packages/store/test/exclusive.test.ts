import { createIdGenerator, isOrchaError } from '@orcha/model';
import { afterEach, describe, expect, it } from 'vitest';
import { createStore } from '../src/index.js';
import { engine, openTestStore } from './helpers.js';

let cleanup = () => {};
afterEach(() => cleanup());

describe('one orcha serve per PostgreSQL database', () => {
  it('refuses a second exclusive opener with conflict, and lets one in once the first is gone', (context) => {
    if (engine !== 'postgres') context.skip('a PostgreSQL advisory lock: runs in store-postgres');
    const opened = openTestStore();
    const options = { ...opened.location, clock: Date.now, ids: createIdGenerator(Date.now, () => 1) };
    const first = createStore({ ...options, exclusive: true });
    cleanup = () => {
      first.close();
      opened.cleanup();
    };
    let refused: unknown;
    try {
      createStore({ ...options, exclusive: true }).close();
    } catch (error) {
      refused = error;
    }
    expect(isOrchaError(refused, 'conflict') && refused.message).toMatch(/another orcha serve holds/);
    // Readers and tools that are not a serve still open it.
    createStore(options).close();
    first.close();
    const second = createStore({ ...options, exclusive: true });
    cleanup = () => {
      second.close();
      opened.cleanup();
    };
    expect(second.latestEventId()).toBe(0);
  });
});
