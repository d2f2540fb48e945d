import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdGenerator } from '@orcha/model';
import { createStore, type Store } from '@orcha/store';
import { afterEach, describe, expect, it } from 'vitest';
import { startReplica } from './replica.js';

// Two replicas on one real database (SQLite here: the lease and the fencing are the same queries on
// PostgreSQL, where `apps/server/test/replicas.test.ts` runs real serves), sharing one hand-moved clock.
const clock = { now: 1_800_000_000_000 };
let cleanup: () => void = () => {};
afterEach(() => cleanup());

function twoStores(): [Store, Store] {
  const dir = mkdtempSync(join(tmpdir(), 'orcha-replica-'));
  const open = () =>
    createStore({
      path: join(dir, 'orcha.db'),
      clock: () => clock.now,
      ids: createIdGenerator(
        () => clock.now,
        () => 3,
      ),
    });
  const stores: [Store, Store] = [open(), open()];
  cleanup = () => {
    for (const store of stores) store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return stores;
}

const quiet = () => {};

describe('a replica', () => {
  it('leads at once when nobody does; another follows, takes over once the lease expired, and deposes the first', async () => {
    const [first, second] = twoStores();
    const events: string[] = [];
    const deposed = new Promise<string>((resolve) => {
      startReplica({
        store: first,
        id: 'rep_0000000000AAAAAAAAAAAAAAAA',
        address: 'http://127.0.0.1:1',
        leaseMs: 300,
        log: quiet,
        lead: async () => void events.push('first leads'),
        deposed: resolve,
      });
    });
    expect(events).toEqual(['first leads']);
    const objective = first.createObjective({ title: 'by the first leader', prompt: 'p', agent: 'fake' });
    // The first leader stalls (a pause, a partition) past its lease: the second takes over at its first beat.
    clock.now += 10_000;
    const follower = startReplica({
      store: second,
      id: 'rep_0000000000BBBBBBBBBBBBBBBB',
      address: 'http://127.0.0.1:2',
      leaseMs: 300,
      log: quiet,
      lead: async () => void events.push('second leads'),
      deposed: () => events.push('second deposed'),
    });
    expect(follower.leading()).toBe(true);
    expect(events).toEqual(['first leads', 'second leads']);
    // The first one's next heartbeat finds its writes fenced: it is deposed, and writes nothing more.
    expect(await deposed).toMatch(/no longer leads \(lease token 1, now 2\)/);
    expect(() => first.updateObjectiveStatus(objective.objective.id, 'canceled')).toThrow(/no longer leads/);
    expect(second.getObjective(objective.objective.id).status).toBe('active');
    expect(second.listReplicas().map((replica) => [replica.address, replica.leader])).toEqual([
      ['http://127.0.0.1:1', false],
      ['http://127.0.0.1:2', true],
    ]);
    // Leaving on purpose ends the lease at once.
    follower.leave();
    expect(second.listReplicas()).toEqual([
      expect.objectContaining({ address: 'http://127.0.0.1:1', leader: false }),
    ]);
  });
});
