import type { SessionRole } from './entities.js';

/** What the scheduling order needs to know of a session waiting for a slot. */
export interface QueuedSession {
  id: string;
  role: SessionRole;
  /** When the session was created: the start of its wait, for FIFO and aging. */
  createdAt: number;
  /** When it first started, if ever: a session that ran before is resuming started work. */
  startedAt: number | null;
}

/**
 * Classes of waiting work, most urgent first: finish what is started before starting more.
 * 0 — resumed sessions (they ran before: an idle manager told a worker ended, an answered question);
 * 1 — workers of active objectives that have not run yet;
 * 2 — new objectives' managers.
 */
export function schedulingClass(session: QueuedSession): 0 | 1 | 2 {
  if (session.startedAt !== null) return 0;
  return session.role === 'worker' ? 1 : 2;
}

/** How long each class step is worth in waiting time: a new manager that waited this much longer goes first. */
export const defaultAgingMs = 30_000;

/**
 * The order in which waiting sessions get slots: by class, FIFO within a class, with aging — each class
 * step counts as `agingMs` of waiting, so a session waits at most `2 × agingMs` behind anything that
 * arrived after it and nothing starves. Pure and total: the same sessions give the same order whatever
 * order they are given in (ties fall to the id).
 */
export function schedulingOrder<T extends QueuedSession>(
  waiting: readonly T[],
  agingMs: number = defaultAgingMs,
): T[] {
  const key = (session: T) => session.createdAt + schedulingClass(session) * agingMs;
  return [...waiting].sort((a, b) => key(a) - key(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The reason a session shows while it waits for a slot, exact near the head of the line. */
export function slotWaitReason(ahead: number, exactUpTo = 20): string {
  if (ahead > exactUpTo) return `waiting for a slot: more than ${exactUpTo} ahead of it`;
  return `waiting for a slot: ${ahead} ahead of it`;
}
