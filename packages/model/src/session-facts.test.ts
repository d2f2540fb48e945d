import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SessionRole } from './entities.js';
import { nextSessionStatus, type SessionFact } from './session-facts.js';
import { activeSessionStatuses, type SessionStatus, sessionMachine, sessionStatuses } from './states.js';
import { assertProperty } from './testing/property.js';

const context = fc.record({
  pendingInput: fc.boolean(),
  openQuestion: fc.boolean(),
  exhausted: fc.boolean(),
});
const fact: fc.Arbitrary<SessionFact> = fc.oneof(
  fc.constant({ type: 'slot-claimed' as const }),
  fc.constant({ type: 'no-slot' as const, reason: 'target is full' }),
  fc.record({
    type: fc.constant('dependency-ended' as const),
    dependencyId: fc.constant('ses_dep'),
    status: fc.constantFrom<SessionStatus>('failed', 'canceled'),
  }),
  fc.constant({ type: 'usage-exhausted' as const, reason: 'usage of fake exhausted' }),
  fc.constant({ type: 'usage-reset' as const, reason: 'usage of fake reset' }),
  fc.constant({ type: 'agent-switched' as const, reason: 'continues on codex' }),
  fc.constant({ type: 'process-started' as const }),
  fc
    .tuple(context, fc.boolean(), fc.option(fc.string({ maxLength: 5 })))
    .map(([ctx, isError, result]) => ({ type: 'turn-completed' as const, isError, result, ...ctx })),
  fc
    .tuple(
      context,
      fc.constantFrom('completed' as const, 'failed' as const, 'canceled' as const, 'crashed' as const),
      fc.option(fc.integer({ min: 0, max: 255 })),
      fc.option(fc.constant('boom')),
    )
    .map(([ctx, reason, code, lastError]) => ({
      type: 'process-exited' as const,
      reason,
      code,
      lastError,
      ...ctx,
    })),
  fc.record({
    type: fc.constant('stop-requested' as const),
    why: fc.constantFrom('cancel' as const, 'pause' as const, 'restart' as const, 'shutdown' as const),
    reason: fc.constant('because'),
  }),
  fc.constant({ type: 'input-pending' as const }),
  fc.record({
    type: fc.constant('question-answered' as const),
    kind: fc.constantFrom(
      'ask_user' as const,
      'loop_guard' as const,
      'usage_exhausted' as const,
      'pr_closed' as const,
    ),
    cancel: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('restart-found-no-process' as const),
    conversation: fc.constantFrom('resumable' as const, 'unstarted' as const, 'lost' as const),
  }),
  fc.record({
    type: fc.constant('connection-lost' as const),
    target: fc.constant('gpu-box'),
    resumable: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('target-rebooted' as const),
    target: fc.constant('gpu-box'),
    resumable: fc.boolean(),
  }),
  fc.constant({ type: 'objective-done' as const }),
  fc.constant({ type: 'launch-interrupted' as const, target: 'gpu-box', reason: 'the channel closed' }),
  fc.constant({ type: 'could-not-run' as const, reason: 'no such agent' }),
);
const role = fc.constantFrom<SessionRole>('manager', 'worker');

describe('nextSessionStatus', () => {
  it('agrees with sessionMachine and never leaves a terminal status, for random fact sequences', () => {
    assertProperty(
      'reducer agrees with the machine',
      fc.property(
        fc.constantFrom(...sessionStatuses),
        role,
        fc.array(fact, { maxLength: 60 }),
        (start, r, facts) => {
          let status = start;
          for (const next of facts) {
            const change = nextSessionStatus({ status, role: r }, next);
            if (sessionMachine.isTerminal(status)) expect(change).toBeNull();
            if (change) {
              expect(sessionMachine.canTransition(status, change.status)).toBe(true);
              status = change.status;
            }
          }
        },
      ),
      2_000,
    );
  });

  /**
   * The world the driver lives in: a process exists from the slot claim until it exits or orcha stops it,
   * and orcha stops it whenever the status leaves the running states. Facts only happen when they can
   * (an exit needs a process).
   */
  it('never has a session running without a process, nor a process without a slot', () => {
    const step = fc.tuple(fact, fc.boolean());
    assertProperty(
      'never running without a process',
      fc.property(role, fc.array(step, { maxLength: 80 }), (r, steps) => {
        let status: SessionStatus = 'queued';
        let process = false;
        for (const [next] of steps) {
          const physical =
            next.type === 'process-started' ||
            next.type === 'turn-completed' ||
            next.type === 'process-exited';
          if (physical && !process) continue; // only a live process reports these
          if (next.type === 'process-exited') process = false;
          const change = nextSessionStatus({ status, role: r }, next);
          if (change) {
            if (change.status === 'starting') process = true; // the driver launches it
            status = change.status;
          }
          if (!activeSessionStatuses.includes(status)) process = false; // the driver stops it
          if (status === 'running') expect(process).toBe(true);
          if (process) expect(activeSessionStatuses).toContain(status);
        }
      }),
      2_000,
    );
  });

  it('reads an exit by the status orcha already decided, not by a side flag', () => {
    const exit = {
      type: 'process-exited',
      reason: 'canceled',
      code: null,
      lastError: null,
      pendingInput: false,
      openQuestion: false,
      exhausted: false,
    } as const;
    // Stopped on purpose: the status was decided first, so the exit changes nothing.
    for (const status of ['paused', 'queued', 'waiting_input', 'canceled', 'completed'] as const)
      expect(nextSessionStatus({ status, role: 'worker' }, exit)).toBeNull();
    // Not stopped by orcha: the agent died.
    expect(nextSessionStatus({ status: 'running', role: 'worker' }, exit)).toEqual({
      status: 'failed',
      reason: 'agent exited (canceled)',
    });
    expect(
      nextSessionStatus(
        { status: 'running', role: 'worker' },
        { ...exit, reason: 'crashed', code: 137, lastError: null },
      ),
    ).toEqual({ status: 'failed', reason: 'agent exited (crashed, code 137)' });
  });

  it('finishes a worker at the end of its turn unless it waits for an answer; a manager goes idle', () => {
    const turn = {
      type: 'turn-completed',
      isError: false,
      result: 'done',
      pendingInput: false,
      openQuestion: false,
      exhausted: false,
    } as const;
    expect(nextSessionStatus({ status: 'running', role: 'worker' }, turn)?.status).toBe('completed');
    expect(nextSessionStatus({ status: 'running', role: 'worker' }, { ...turn, isError: true })).toEqual({
      status: 'failed',
      reason: 'done',
    });
    expect(nextSessionStatus({ status: 'running', role: 'worker' }, { ...turn, openQuestion: true })).toEqual(
      {
        status: 'waiting_input',
        reason: 'waiting for your answer',
      },
    );
    expect(nextSessionStatus({ status: 'running', role: 'manager' }, turn)).toEqual({
      status: 'waiting_input',
      reason: 'idle: waiting for workers or messages',
    });
    // A message already waits: the session keeps its slot and goes on.
    expect(
      nextSessionStatus({ status: 'running', role: 'manager' }, { ...turn, pendingInput: true }),
    ).toBeNull();
    expect(
      nextSessionStatus({ status: 'running', role: 'manager' }, { ...turn, exhausted: true })?.status,
    ).toBe('queued');
  });

  it('asks for a slot again when input reaches an idle or paused session', () => {
    for (const status of ['waiting_input', 'paused'] as const)
      expect(nextSessionStatus({ status, role: 'manager' }, { type: 'input-pending' })).toEqual({
        status: 'queued',
        reason: 'new input',
      });
    expect(nextSessionStatus({ status: 'running', role: 'manager' }, { type: 'input-pending' })).toBeNull();
  });

  it('resumes, starts again or fails what a restart found without its process', () => {
    const found = (conversation: 'resumable' | 'unstarted' | 'lost') =>
      ({ type: 'restart-found-no-process', conversation }) as const;
    for (const status of ['starting', 'running'] as const) {
      for (const role of ['manager', 'worker'] as const) {
        expect(nextSessionStatus({ status, role }, found('resumable'))?.status).toBe('queued');
        // Unstarted work (no conversation id yet) is run again from its prompt, never failed.
        expect(nextSessionStatus({ status, role }, found('unstarted'))).toEqual({
          status: 'queued',
          reason: expect.stringContaining('starting it again'),
        });
        expect(nextSessionStatus({ status, role }, found('lost'))?.status).toBe('failed');
      }
    }
    expect(nextSessionStatus({ status: 'waiting_input', role: 'manager' }, found('lost'))).toBeNull();
  });

  it('puts what a reboot killed back in the queue, resumable or not; idle sessions stay idle', () => {
    for (const status of ['starting', 'running'] as const)
      for (const resumable of [true, false]) {
        const change = nextSessionStatus(
          { status, role: 'worker' },
          { type: 'target-rebooted', target: 'gpu-box', resumable },
        );
        expect(change?.status).toBe('queued');
        expect(change?.reason).toContain(resumable ? 'resuming the conversation' : 'starting again');
      }
    for (const status of ['waiting_input', 'queued', 'paused', 'completed'] as const)
      expect(
        nextSessionStatus(
          { status, role: 'manager' },
          { type: 'target-rebooted', target: 'gpu-box', resumable: true },
        ),
      ).toBeNull();
  });

  it('resumes a run its lost connection ended, or fails it with the reason when there is nothing to resume', () => {
    const fact = (resumable: boolean) => ({ type: 'connection-lost' as const, target: 'gpu-box', resumable });
    expect(nextSessionStatus({ status: 'running', role: 'worker' }, fact(true))).toEqual({
      status: 'queued',
      reason: 'lost the connection to gpu-box; resuming the conversation',
    });
    expect(nextSessionStatus({ status: 'running', role: 'worker' }, fact(false))?.status).toBe('failed');
    expect(nextSessionStatus({ status: 'waiting_input', role: 'manager' }, fact(true))).toBeNull();
  });

  it('starts again a start the connection cut off; nothing else is moved by it', () => {
    const fact = { type: 'launch-interrupted' as const, target: 'gpu-box', reason: 'the channel closed' };
    expect(nextSessionStatus({ status: 'starting', role: 'manager' }, fact)).toEqual({
      status: 'queued',
      reason: 'lost the connection to gpu-box while starting (the channel closed); starting again',
    });
    for (const status of ['queued', 'running', 'waiting_input', 'paused', 'failed'] as const)
      expect(nextSessionStatus({ status, role: 'worker' }, fact)).toBeNull();
  });

  it('starts a switched session again from wherever it stood, except when it is done', () => {
    const fact = { type: 'agent-switched' as const, reason: 'continues on codex' };
    for (const status of ['starting', 'running', 'waiting_input', 'paused'] as const)
      expect(nextSessionStatus({ status, role: 'worker' }, fact)).toEqual({
        status: 'queued',
        reason: 'continues on codex',
      });
    for (const status of ['queued', 'waiting_capacity', 'completed', 'failed', 'canceled'] as const)
      expect(nextSessionStatus({ status, role: 'worker' }, fact)).toBeNull();
  });
});
