import { OrchaError } from './errors.js';

/** A finite state machine over a string union, built from its transition table. */
export interface StateMachine<S extends string> {
  readonly states: readonly S[];
  canTransition(from: S, to: S): boolean;
  /** Throws `invalid_transition` when `from → to` is not allowed. */
  assertTransition(from: S, to: S): void;
  /** A terminal state has no outgoing transitions. */
  isTerminal(state: S): boolean;
  next(from: S): readonly S[];
}

export function defineStateMachine<S extends string>(
  name: string,
  table: Record<S, readonly S[]>,
): StateMachine<S> {
  const states = Object.keys(table) as S[];
  return {
    states,
    canTransition: (from, to) => table[from]?.includes(to) ?? false,
    assertTransition(from, to) {
      if (!(table[from]?.includes(to) ?? false)) {
        throw new OrchaError('invalid_transition', `${name} cannot go from ${from} to ${to}`, { from, to });
      }
    },
    isTerminal: (state) => (table[state]?.length ?? 0) === 0,
    next: (from) => table[from] ?? [],
  };
}
