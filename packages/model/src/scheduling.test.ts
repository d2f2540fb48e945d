import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseTarget, type PlacementCandidate } from './placement.js';
import {
  defaultAgingMs,
  memoryAdmits,
  type QueuedSession,
  schedulingClass,
  schedulingOrder,
  slotWaitReason,
} from './scheduling.js';
import { assertProperty } from './testing/property.js';

const queued = fc.uniqueArray(
  fc.record({
    id: fc.string({ minLength: 1, maxLength: 6 }),
    role: fc.constantFrom('manager' as const, 'worker' as const),
    createdAt: fc.integer({ min: 0, max: 200_000 }),
    startedAt: fc.option(fc.integer({ min: 0, max: 200_000 })),
  }),
  { selector: (session) => session.id, maxLength: 40 },
);
const position = (order: QueuedSession[], session: QueuedSession) => order.indexOf(session);

describe('schedulingOrder', () => {
  it('is the same whatever order the sessions come in', () => {
    assertProperty(
      'order is total',
      fc.property(
        queued.chain((sessions) =>
          fc.tuple(fc.constant(sessions), fc.shuffledSubarray(sessions, { minLength: sessions.length })),
        ),
        ([a, b]) => {
          expect(schedulingOrder(a).map((s) => s.id)).toEqual(schedulingOrder(b).map((s) => s.id));
        },
      ),
    );
  });

  it('finishes what is started: a more urgent class goes first unless the other waited longer than the aging', () => {
    assertProperty(
      'classes with aging',
      fc.property(queued, (sessions) => {
        const order = schedulingOrder(sessions);
        for (const a of sessions)
          for (const b of sessions) {
            const step = schedulingClass(b) - schedulingClass(a);
            // a is more urgent, and b did not wait `step × aging` longer: a goes first.
            if (step > 0 && b.createdAt + step * defaultAgingMs > a.createdAt)
              expect(position(order, a)).toBeLessThan(position(order, b));
            // FIFO within a class.
            if (step === 0 && a.createdAt < b.createdAt)
              expect(position(order, a)).toBeLessThan(position(order, b));
          }
      }),
    );
  });

  it('starves nothing: a session goes before anything that arrived two aging steps after it', () => {
    assertProperty(
      'no starvation',
      fc.property(queued, (sessions) => {
        const order = schedulingOrder(sessions);
        for (const a of sessions)
          for (const b of sessions)
            if (b.createdAt > a.createdAt + 2 * defaultAgingMs)
              expect(position(order, a)).toBeLessThan(position(order, b));
      }),
    );
  });

  it('says how many are ahead, exactly near the head of the line', () => {
    expect(slotWaitReason(3)).toBe('waiting for a slot: 3 ahead of it');
    expect(slotWaitReason(21)).toBe('waiting for a slot: more than 20 ahead of it');
  });
});

const gb = 1e9;
const room = fc.record({
  availableBytes: fc.option(fc.integer({ min: 0, max: 64 * gb }), { nil: null }),
  promisedBytes: fc.integer({ min: 0, max: 16 * gb }),
  floorBytes: fc.integer({ min: 0, max: 4 * gb }),
});
const candidates = fc
  .uniqueArray(
    fc.record({
      id: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      status: fc.constantFrom('online' as const, 'draining' as const, 'offline' as const),
      capacity: fc.integer({ min: 1, max: 8 }),
      used: fc.integer({ min: 0, max: 8 }),
      memory: fc.option(room, { nil: null }),
    }),
    { selector: (candidate) => candidate.id, maxLength: 5 },
  )
  .map((list) => list.map((candidate) => ({ ...candidate, name: `box-${candidate.id}` })));
const need = fc.record({ agent: fc.constant('claude'), bytes: fc.integer({ min: 0, max: 8 * gb }) });
const roomFor = (candidate: PlacementCandidate, bytes: number) =>
  !candidate.memory ||
  candidate.memory.availableBytes === null ||
  bytes <= 0 ||
  candidate.memory.availableBytes - candidate.memory.promisedBytes - candidate.memory.floorBytes >= bytes;

describe('memory admission', () => {
  it('says how much is free and how much the agent needs', () => {
    expect(
      memoryAdmits(
        { availableBytes: 3.2 * gb, promisedBytes: 1.5 * gb, floorBytes: 0.5 * gb },
        { agent: 'claude', bytes: 1.8 * gb },
        'gpu-box',
      ),
    ).toEqual({
      ok: false,
      freeBytes: 1.2 * gb,
      reason: 'waiting for memory on gpu-box: 1.2 GB free, claude needs ~1.8 GB',
    });
    expect(
      memoryAdmits(
        { availableBytes: null, promisedBytes: 0, floorBytes: 0 },
        { agent: 'claude', bytes: gb },
        'x',
      ),
    ).toEqual({ ok: true });
  });

  it('never places a session where its memory does not fit, and places it wherever it does', () => {
    assertProperty(
      'memory-aware placement is sound and complete',
      fc.property(
        candidates,
        need,
        fc.option(fc.constantFrom('a', 'b', 'z'), { nil: null }),
        (targets, wanted, pinned) => {
          const placement = chooseTarget(targets, pinned, wanted);
          const eligible = targets.filter(
            (candidate) =>
              candidate.status === 'online' &&
              candidate.used < candidate.capacity &&
              (!pinned || candidate.id === pinned || candidate.name === pinned),
          );
          if (placement.ok) {
            const chosen = targets.find((candidate) => candidate.id === placement.targetId)!;
            expect(eligible).toContain(chosen);
            expect(roomFor(chosen, wanted.bytes)).toBe(true);
          } else {
            expect(eligible.filter((candidate) => roomFor(candidate, wanted.bytes))).toEqual([]);
            if (placement.reason === 'memory_short')
              expect(placement.detail).toMatch(/^waiting for memory on /);
          }
        },
      ),
    );
  });

  it('ignores memory when nothing is known or nothing is needed: the same choice as without it', () => {
    assertProperty(
      'memory is an added input only',
      fc.property(candidates, (targets) => {
        const unknown = targets.map((candidate) => ({ ...candidate, memory: null }));
        expect(chooseTarget(unknown, null, { agent: 'claude', bytes: 2 * gb })).toEqual(
          chooseTarget(unknown),
        );
        expect(chooseTarget(targets, null, { agent: 'claude', bytes: 0 })).toEqual(chooseTarget(targets));
      }),
    );
  });

  it('admits exactly as many as fit when each admission is promised its peak (never an OOM on purpose)', () => {
    assertProperty(
      'admission counts',
      fc.property(
        fc.integer({ min: 1, max: 4 * gb }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 2 * gb }),
        (peak, offered, floor) => {
          const fitting = 5;
          const target: PlacementCandidate = {
            id: 't',
            name: 't',
            status: 'online',
            capacity: 100,
            used: 0,
            memory: {
              availableBytes: floor + fitting * peak + peak - 1,
              promisedBytes: 0,
              floorBytes: floor,
            },
          };
          let admitted = 0;
          for (let i = 0; i < offered; i++) {
            if (!chooseTarget([target], null, { agent: 'hungry', bytes: peak }).ok) continue;
            admitted++;
            target.used++;
            target.memory!.promisedBytes += peak;
          }
          expect(admitted).toBe(Math.min(offered, fitting));
        },
      ),
    );
  });
});

describe('disk admission', () => {
  const target = (freeBytes: number | null, floorBytes: number): PlacementCandidate => ({
    id: 't',
    name: 'box',
    status: 'online',
    capacity: 4,
    used: 0,
    disk: { freeBytes, floorBytes },
  });

  it('stops new workspaces below the floor and says so; sessions with a workspace there go on', () => {
    const fresh = { agent: 'claude', bytes: 0, newWorkspace: true };
    expect(chooseTarget([target(0.8 * gb, gb)], null, fresh)).toEqual({
      ok: false,
      reason: 'disk_short',
      detail: 'waiting for disk on box: 0.8 GB free in its work root, below its floor of 1.0 GB',
    });
    expect(chooseTarget([target(0.8 * gb, gb)], null, { ...fresh, newWorkspace: false }).ok).toBe(true);
    expect(chooseTarget([target(1.2 * gb, gb)], null, fresh).ok).toBe(true);
    expect(chooseTarget([target(null, gb)], null, fresh).ok).toBe(true);
    expect(chooseTarget([target(0, 0)], null, fresh).ok).toBe(true);
  });

  it('never makes a new workspace on a target below its floor', () => {
    assertProperty(
      'disk floor',
      fc.property(
        fc.array(
          fc.record({
            id: fc.constantFrom('a', 'b', 'c'),
            freeBytes: fc.option(fc.integer({ min: 0, max: 10 * gb }), { nil: null }),
            floorBytes: fc.integer({ min: 0, max: 10 * gb }),
          }),
          { maxLength: 3 },
        ),
        fc.boolean(),
        (disks, newWorkspace) => {
          const targets = [...new Map(disks.map((disk) => [disk.id, disk])).values()].map((disk) => ({
            id: disk.id,
            name: disk.id,
            status: 'online' as const,
            capacity: 2,
            used: 0,
            disk: { freeBytes: disk.freeBytes, floorBytes: disk.floorBytes },
          }));
          const placement = chooseTarget(targets, null, { agent: 'codex', bytes: 0, newWorkspace });
          const below = (t: (typeof targets)[number]) =>
            t.disk.freeBytes !== null && t.disk.floorBytes > 0 && t.disk.freeBytes < t.disk.floorBytes;
          if (placement.ok && newWorkspace)
            expect(below(targets.find((t) => t.id === placement.targetId)!)).toBe(false);
          if (!placement.ok && targets.length > 0)
            expect(targets.every((t) => newWorkspace && below(t))).toBe(true);
        },
      ),
    );
  });
});
