import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOrchaError } from './errors.js';
import type { StateMachine } from './state-machine.js';
import {
  objectiveMachine,
  pullRequestMachine,
  questionMachine,
  sessionMachine,
  targetMachine,
} from './states.js';
import { assertProperty } from './testing/property.js';

const machines: [string, StateMachine<string>][] = [
  ['session', sessionMachine as StateMachine<string>],
  ['objective', objectiveMachine as StateMachine<string>],
  ['target', targetMachine as StateMachine<string>],
  ['pull request', pullRequestMachine as StateMachine<string>],
  ['question', questionMachine as StateMachine<string>],
];

describe.each(machines)('%s state machine', (name, machine) => {
  it('never leaves a terminal state under any random sequence of requested transitions', () => {
    assertProperty(
      `${name}: terminal states are final`,
      fc.property(
        fc.constantFrom(...machine.states),
        fc.array(fc.constantFrom(...machine.states), { maxLength: 40 }),
        (start, requests) => {
          let state = start;
          let reachedTerminal = machine.isTerminal(state);
          const terminalState = state;
          let firstTerminal = reachedTerminal ? terminalState : null;
          for (const to of requests) {
            if (machine.canTransition(state, to)) state = to;
            if (firstTerminal !== null) expect(state).toBe(firstTerminal);
            if (!reachedTerminal && machine.isTerminal(state)) {
              reachedTerminal = true;
              firstTerminal = state;
            }
          }
        },
      ),
    );
  });

  it('assertTransition agrees with canTransition and throws invalid_transition', () => {
    for (const from of machine.states) {
      for (const to of machine.states) {
        if (machine.canTransition(from, to)) {
          expect(() => machine.assertTransition(from, to)).not.toThrow();
        } else {
          let thrown: unknown;
          try {
            machine.assertTransition(from, to);
          } catch (error) {
            thrown = error;
          }
          expect(isOrchaError(thrown, 'invalid_transition')).toBe(true);
        }
      }
    }
  });

  it('every transition leads to a known state', () => {
    for (const from of machine.states) {
      for (const to of machine.next(from)) expect(machine.states).toContain(to);
    }
  });
});

describe('session statuses', () => {
  it('refuses a late completion after cancel', () => {
    expect(sessionMachine.canTransition('canceled', 'completed')).toBe(false);
    expect(sessionMachine.isTerminal('canceled')).toBe(true);
  });

  it('every non-terminal status can reach a terminal one', () => {
    for (const state of sessionMachine.states) {
      if (sessionMachine.isTerminal(state)) continue;
      expect(sessionMachine.next(state).some((next) => sessionMachine.isTerminal(next))).toBe(true);
    }
  });

  it('lets parked sessions come back', () => {
    expect(sessionMachine.canTransition('paused', 'queued')).toBe(true);
    expect(sessionMachine.canTransition('waiting_capacity', 'queued')).toBe(true);
  });
});

describe('targets', () => {
  it('have no terminal state: a machine can always come back online', () => {
    for (const state of targetMachine.states) expect(targetMachine.isTerminal(state)).toBe(false);
  });
});
