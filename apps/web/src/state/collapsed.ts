import { useSyncExternalStore } from 'react';

/**
 * Which objectives are folded. Objectives already finished when first seen start folded; active ones stay
 * open, also after they finish in front of you; a click overrides either. Shared so the keyboard cursor
 * skips the rows of folded objectives.
 */
let overrides: ReadonlyMap<string, boolean> = new Map();
const seenActive = new Set<string>();
const listeners = new Set<() => void>();

export function isCollapsed(objectiveId: string, active: boolean): boolean {
  if (active) seenActive.add(objectiveId);
  return overrides.get(objectiveId) ?? !seenActive.has(objectiveId);
}

export function setCollapsed(objectiveId: string, collapsed: boolean): void {
  const next = new Map(overrides);
  next.set(objectiveId, collapsed);
  overrides = next;
  for (const listener of listeners) listener();
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

export function useCollapsedOverrides(): ReadonlyMap<string, boolean> {
  return useSyncExternalStore(subscribe, () => overrides);
}
