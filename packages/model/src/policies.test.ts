import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyGuardCounters } from './entities.js';
import { errorKey, evaluateGuards, recordError, recordTurn } from './guards.js';
import { chooseTarget, type PlacementCandidate } from './placement.js';
import { evaluatePush } from './push.js';
import { assertProperty } from './testing/property.js';

describe('evaluatePush', () => {
  it('never allows a push to a merged pull request, forced or not', () => {
    expect(evaluatePush({ state: 'merged' }, { force: false }).decision).toBe('refuse');
    expect(evaluatePush({ state: 'merged' }, { force: true, reason: 'rebase' }).decision).toBe('refuse');
  });

  it('asks the manager to decide on a closed pull request', () => {
    expect(evaluatePush({ state: 'closed' }, { force: false }).decision).toBe('needs_manager_decision');
  });

  it('allows a plain push to an open pull request', () => {
    expect(evaluatePush({ state: 'open' }, { force: false })).toEqual({
      decision: 'allow',
      force: false,
      reason: null,
    });
  });

  it('needs a non-empty reason for a force push and records it', () => {
    expect(evaluatePush({ state: 'open' }, { force: true }).decision).toBe('refuse');
    expect(evaluatePush({ state: 'open' }, { force: true, reason: '   ' }).decision).toBe('refuse');
    expect(evaluatePush({ state: 'open' }, { force: true, reason: ' rebased on main ' })).toEqual({
      decision: 'allow',
      force: true,
      reason: 'rebased on main',
    });
  });
});

const target = (
  id: string,
  status: PlacementCandidate['status'],
  capacity: number,
  used: number,
): PlacementCandidate => ({
  id,
  name: id,
  status,
  capacity,
  used,
});

describe('chooseTarget', () => {
  it('picks the least loaded online target', () => {
    const placement = chooseTarget([
      target('a', 'online', 4, 3),
      target('b', 'online', 4, 1),
      target('c', 'draining', 8, 0),
    ]);
    expect(placement).toEqual({ ok: true, targetId: 'b' });
  });

  it('honours a pinned target by name or id, and refuses it when it cannot take work', () => {
    const targets = [target('a', 'online', 2, 0), target('b', 'online', 2, 2), target('c', 'disabled', 2, 0)];
    expect(chooseTarget(targets, 'a')).toEqual({ ok: true, targetId: 'a' });
    expect(chooseTarget(targets, 'b')).toMatchObject({ ok: false, reason: 'capacity_full' });
    expect(chooseTarget(targets, 'c')).toMatchObject({ ok: false, reason: 'pinned_target_unavailable' });
    expect(chooseTarget(targets, 'zzz')).toMatchObject({ ok: false, reason: 'pinned_target_unknown' });
  });

  it('says why nothing fits', () => {
    expect(chooseTarget([target('a', 'offline', 2, 0)])).toMatchObject({
      ok: false,
      reason: 'no_online_target',
    });
    expect(chooseTarget([target('a', 'online', 1, 1)])).toMatchObject({ ok: false, reason: 'capacity_full' });
  });

  it('never places on a full, draining, disabled or offline target', () => {
    const status = fc.constantFrom('online', 'draining', 'disabled', 'offline') as fc.Arbitrary<
      PlacementCandidate['status']
    >;
    const candidate = fc
      .tuple(
        fc.string({ minLength: 1, maxLength: 4 }),
        status,
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 6 }),
      )
      .map(([id, s, capacity, used]) => target(id, s, capacity, Math.min(used, capacity)));
    // Target ids are unique in reality (a primary key): two candidates never share one.
    const candidates = fc.uniqueArray(candidate, { maxLength: 8, selector: (c) => c.id });
    assertProperty(
      'placement: only online targets with a free slot',
      fc.property(candidates, (candidates) => {
        const placement = chooseTarget(candidates);
        if (placement.ok) {
          const chosen = candidates.find((c) => c.id === placement.targetId)!;
          expect(chosen.status).toBe('online');
          expect(chosen.used).toBeLessThan(chosen.capacity);
        } else {
          expect(candidates.some((c) => c.status === 'online' && c.used < c.capacity)).toBe(false);
        }
      }),
    );
  });
});

describe('loop guards', () => {
  const policy = { maxSameError: 3, maxNoProgressTurns: 2, maxModelCalls: 10 };

  it('trips on the same error N times in a row, not on different ones', () => {
    let counters = emptyGuardCounters;
    counters = recordError(counters, errorKey('other', 'ENOENT at 12'));
    counters = recordError(counters, errorKey('other', 'ENOENT at 13'));
    expect(evaluateGuards(policy, counters, 0).trip).toBe(false);
    counters = recordError(counters, errorKey('other', 'ENOENT at 99'));
    expect(evaluateGuards(policy, counters, 0)).toMatchObject({ trip: true, guard: 'same_error' });
    expect(recordError(counters, 'different').sameErrorCount).toBe(1);
  });

  it('trips after turns without progress and resets on progress', () => {
    let counters = recordTurn(recordTurn(emptyGuardCounters, false), false);
    expect(evaluateGuards(policy, counters, 0)).toMatchObject({ trip: true, guard: 'no_progress' });
    counters = recordTurn(counters, true);
    expect(evaluateGuards(policy, counters, 0).trip).toBe(false);
    expect(counters.turns).toBe(3);
  });

  it('trips at the model-call cap and never when a guard is off', () => {
    expect(evaluateGuards(policy, emptyGuardCounters, 10)).toMatchObject({
      trip: true,
      guard: 'model_calls',
    });
    expect(
      evaluateGuards(
        { maxSameError: 0, maxNoProgressTurns: 0, maxModelCalls: 0 },
        { ...emptyGuardCounters, sameErrorCount: 99, noProgressTurns: 99 },
        1e9,
      ).trip,
    ).toBe(false);
  });
});
