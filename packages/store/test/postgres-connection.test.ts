import { createIdGenerator, isOrchaError, type OrchaEvent } from '@orcha/model';
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

describe('a PostgreSQL connection that breaks', () => {
  /** Ends the store's server connections from outside, as a server restart or a network cut would. */
  const cut = (opened: ReturnType<typeof openTestStore>) =>
    opened.query(
      // Waits (up to 10 s) until each backend is gone: the cut has happened when this returns.
      `SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );

  it('fails at most the call in flight, then the store connects again with nothing lost', (context) => {
    if (engine !== 'postgres') context.skip('a PostgreSQL connection: runs in store-postgres');
    const opened = openTestStore();
    cleanup = opened.cleanup;
    const { store } = opened;
    const { objective } = store.createObjective({ title: 'before the cut', prompt: '', agent: 'fake' });
    cut(opened);
    try {
      store.createObjective({ title: 'during the cut', prompt: '', agent: 'fake' });
    } catch (error) {
      expect(error).toMatchObject({ name: 'PgError' });
    }
    const after = store.createObjective({ title: 'after the cut', prompt: '', agent: 'fake' });
    const titles = store.listObjectives().map((o) => o.title);
    expect(titles).toEqual(expect.arrayContaining(['before the cut', 'after the cut']));
    expect(store.getObjective(objective.id).title).toBe('before the cut');
    // The events are stored in id order, the last one the last write's.
    const events = store.listEvents();
    expect(events.map((event) => event.id)).toEqual(events.map((event) => event.id).sort((a, b) => a - b));
    expect(events.at(-1)).toMatchObject({ sessionId: after.manager.id });
  });

  it('ends an exclusive store whose hold another serve took while it was cut off', (context) => {
    if (engine !== 'postgres') context.skip('a PostgreSQL advisory lock: runs in store-postgres');
    const opened = openTestStore();
    const options = { ...opened.location, clock: Date.now, ids: createIdGenerator(Date.now, () => 2) };
    const first = createStore({ ...options, exclusive: true });
    cut(opened);
    const second = createStore({ ...options, exclusive: true });
    cleanup = () => {
      second.close();
      first.close();
      opened.cleanup();
    };
    expect(() => first.listObjectives()).toThrow();
    expect(() => first.listObjectives()).toThrow(expect.objectContaining({ code: 'unavailable' }));
    expect(second.listObjectives()).toEqual([]);
  });
});

describe('the change feed across processes on PostgreSQL', () => {
  it('tells one store what another committed, in id order, each event once', async (context) => {
    if (engine !== 'postgres') context.skip('LISTEN/NOTIFY: runs in store-postgres');
    const opened = openTestStore();
    const a = opened.store;
    const b = createStore({ ...opened.location, clock: Date.now, ids: createIdGenerator(Date.now, () => 7) });
    cleanup = () => {
      b.close();
      opened.cleanup();
    };
    const heard: OrchaEvent[] = [];
    const created = (title: string) =>
      heard.some((event) => event.type === 'objective-create' && event.title === title);
    let arrived = () => {};
    b.subscribe((events) => {
      heard.push(...events);
      arrived();
    });
    const hear = (title: string) =>
      new Promise<void>((resolve) => {
        arrived = () => created(title) && resolve();
        arrived();
      });

    a.createObjective({ title: 'from a', prompt: '', agent: 'fake' });
    await hear('from a'); // woken by the notification
    a.createObjective({ title: 'a again', prompt: '', agent: 'fake' });
    // B's own write announces what A committed before it, then its own events.
    b.createObjective({ title: 'from b', prompt: '', agent: 'fake' });
    expect(created('a again') && created('from b')).toBe(true);
    a.createObjective({ title: 'a last', prompt: '', agent: 'fake' });
    await hear('a last');

    const ids = heard.map((event) => event.id);
    expect(ids).toEqual(b.listEvents().map((event) => event.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(heard.filter((event) => event.type === 'objective-create').map((event) => event.title)).toEqual([
      'from a',
      'a again',
      'from b',
      'a last',
    ]);
  });
});
