import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  defaultAgingMs,
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
