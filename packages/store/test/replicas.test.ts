import { createIdGenerator, isOrchaError } from '@orcha/model';
import { afterEach, describe, expect, it } from 'vitest';
import { createStore, type Store } from '../src/index.js';
import { openTestStore } from './helpers.js';

let cleanup: () => void = () => {};
afterEach(() => cleanup());

const a = 'rep_0000000000AAAAAAAAAAAAAAAA';
const b = 'rep_0000000000BBBBBBBBBBBBBBBB';
const leaseMs = 3_000;

/** A second store on the same database (another `orcha serve`), on the same test clock. */
function secondStore(opened: ReturnType<typeof openTestStore>): Store {
  const ids = createIdGenerator(
    () => opened.clock.now,
    () => 7,
  );
  const store = createStore({ ...opened.location, clock: () => opened.clock.now, ids });
  const first = cleanup;
  cleanup = () => {
    store.close();
    first();
  };
  return store;
}

describe('replicas and the leader lease', () => {
  it('gives the lease to the first heartbeat; the others follow and list it as leader', () => {
    const opened = openTestStore();
    cleanup = opened.cleanup;
    const { store, clock } = opened;
    expect(store.heartbeatReplica({ id: a, address: 'http://10.0.0.1:4000', leaseMs })).toEqual({
      leader: a,
      token: 1,
      expiresAt: clock.now + leaseMs,
    });
    clock.now += 500;
    expect(store.heartbeatReplica({ id: b, address: 'http://10.0.0.2:4000', leaseMs })).toEqual({
      leader: a,
      token: null,
      expiresAt: clock.now - 500 + leaseMs,
    });
    // Renewing keeps the token and moves the expiry.
    clock.now += 1_000;
    expect(store.heartbeatReplica({ id: a, address: 'http://10.0.0.1:4000', leaseMs }).token).toBe(1);
    expect(store.listReplicas()).toEqual([
      {
        id: a,
        address: 'http://10.0.0.1:4000',
        startedAt: clock.now - 1_500,
        heartbeatAt: clock.now,
        leader: true,
      },
      {
        id: b,
        address: 'http://10.0.0.2:4000',
        startedAt: clock.now - 1_000,
        heartbeatAt: clock.now - 1_000,
        leader: false,
      },
    ]);
  });

  it('moves the lease only once it expired, with a new token, and fences every write of the deposed leader', () => {
    const opened = openTestStore();
    cleanup = opened.cleanup;
    const { clock } = opened;
    const leader = opened.store;
    const follower = secondStore(opened);
    const won = leader.heartbeatReplica({ id: a, address: 'http://a', leaseMs });
    leader.fenceWrites({ token: won.token!, leaseMs });
    // The leader writes under its token.
    const { objective } = leader.createObjective({ title: 'before', prompt: 'p', agent: 'fake' });
    clock.now += leaseMs - 1;
    expect(follower.heartbeatReplica({ id: b, address: 'http://b', leaseMs }).leader).toBe(a);
    // The leader went silent (a partition, a pause): once its lease expired the follower takes it over.
    clock.now += 1;
    const taken = follower.heartbeatReplica({ id: b, address: 'http://b', leaseMs });
    expect(taken).toEqual({ leader: b, token: 2, expiresAt: clock.now + leaseMs });
    follower.fenceWrites({ token: taken.token!, leaseMs });
    // The old leader wakes up: every write fails inside its transaction and writes nothing.
    const eventsBefore = follower.latestEventId();
    const refused = (work: () => unknown) => {
      try {
        work();
      } catch (error) {
        return isOrchaError(error, 'conflict') ? error.message : `not a conflict: ${String(error)}`;
      }
      return 'written';
    };
    expect(refused(() => leader.updateObjectiveStatus(objective.id, 'canceled'))).toMatch(
      /no longer leads \(lease token 1, now 2\)/,
    );
    expect(refused(() => leader.createObjective({ title: 'after', prompt: 'p', agent: 'fake' }))).toMatch(
      /no longer leads/,
    );
    expect(refused(() => leader.heartbeatReplica({ id: a, address: 'http://a', leaseMs }))).toMatch(
      /no longer leads/,
    );
    expect(follower.latestEventId()).toBe(eventsBefore);
    expect(follower.listObjectives().map((o) => o.title)).toEqual(['before']);
    // The new leader writes.
    follower.createObjective({ title: 'by the new leader', prompt: 'p', agent: 'fake' });
    expect(follower.listReplicas().map((r) => [r.id, r.leader])).toEqual([
      [a, false],
      [b, true],
    ]);
  });

  it("renews the lease with the leader's own writes: a leader busy writing stays the leader", () => {
    const opened = openTestStore();
    cleanup = opened.cleanup;
    const { clock } = opened;
    const leader = opened.store;
    const follower = secondStore(opened);
    leader.fenceWrites({
      token: leader.heartbeatReplica({ id: a, address: 'http://a', leaseMs }).token!,
      leaseMs,
    });
    // No heartbeat for twice the lease, but writes all along (a long takeover, a thread kept busy).
    for (let i = 0; i < 4; i++) {
      clock.now += leaseMs / 2;
      leader.createObjective({ title: `busy ${i}`, prompt: 'p', agent: 'fake' });
    }
    clock.now += leaseMs - 1;
    expect(follower.heartbeatReplica({ id: b, address: 'http://b', leaseMs })).toMatchObject({
      leader: a,
      token: null,
    });
    clock.now += 1;
    expect(follower.heartbeatReplica({ id: b, address: 'http://b', leaseMs }).token).toBe(2);
    expect(() => leader.createObjective({ title: 'late', prompt: 'p', agent: 'fake' })).toThrow(
      /no longer leads/,
    );
  });

  it('hands the lease over at once when its leader leaves on purpose', () => {
    const opened = openTestStore();
    cleanup = opened.cleanup;
    const { store } = opened;
    store.heartbeatReplica({ id: a, address: 'http://a', leaseMs });
    store.heartbeatReplica({ id: b, address: 'http://b', leaseMs });
    store.leaveReplicas(a);
    expect(store.heartbeatReplica({ id: b, address: 'http://b', leaseMs })).toMatchObject({
      leader: b,
      token: 2,
    });
    expect(store.listReplicas().map((r) => r.id)).toEqual([b]);
  });

  it('refuses a malformed heartbeat, writing nothing', () => {
    const opened = openTestStore();
    cleanup = opened.cleanup;
    const { store } = opened;
    expect(() => store.heartbeatReplica({ id: 'ses_x', address: 'http://a', leaseMs })).toThrow(
      /replica heartbeat/,
    );
    expect(() => store.heartbeatReplica({ id: a, address: '', leaseMs })).toThrow(/replica heartbeat/);
    expect(() => store.heartbeatReplica({ id: a, address: 'http://a', leaseMs: 5 })).toThrow(
      /replica heartbeat/,
    );
    expect(store.listReplicas()).toEqual([]);
  });
});
