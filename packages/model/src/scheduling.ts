import type { SessionRole } from './entities.js';
import type { SessionStatus } from './states.js';

/** What the scheduling order needs to know of a session waiting for a slot. */
export interface QueuedSession {
  id: string;
  role: SessionRole;
  /** When the session was created: the start of its wait, for FIFO and aging. */
  createdAt: number;
  /** When it first started, if ever: a session that ran before is resuming started work. */
  startedAt: number | null;
}

/** A session waiting for a slot, as the scheduler reads the whole queue on every pass: no more than this. */
export interface WaitingSession extends QueuedSession {
  status: Extract<SessionStatus, 'queued' | 'waiting_capacity'>;
  statusReason: string | null;
  dependsOn: string[];
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

/** What memory admission knows of a target: its free memory as last measured, what is promised, its floor. */
export interface MemoryRoom {
  /** MemAvailable as the target's last probe read it; null when unknown (then nothing waits for memory). */
  availableBytes: number | null;
  /**
   * Memory promised to the sessions placed there: each one's agent peak less what the last probe saw it use
   * (its whole peak before it was measured), so a session still growing keeps its room.
   */
  promisedBytes: number;
  /** Memory kept free for the machine itself (set per target by the person). */
  floorBytes: number;
}

/** What a session is expected to need: its agent's learned peak RSS, and whether it makes a new workspace. */
export interface MemoryNeed {
  agent: string;
  bytes: number;
  /** A session without a workspace yet makes one: the target's disk must be above its floor. */
  newWorkspace?: boolean | undefined;
}

/** What disk admission knows of a target: free space on its work root's volume, and the floor kept free. */
export interface DiskRoom {
  /** As the target's last probe read it; null when unknown. */
  freeBytes: number | null;
  floorBytes: number;
}

export type MemoryVerdict = { ok: true } | { ok: false; freeBytes: number; reason: string };

/** `1_288_490_188` → `1.3 GB` (decimal units, as free-memory figures are usually read). */
export function formatGigabytes(bytes: number): string {
  return `${(Math.max(0, bytes) / 1e9).toFixed(1)} GB`;
}

/**
 * Memory admission: a session goes to a target only when MemAvailable, less the headroom promised to the
 * sessions placed there and less the target's floor, covers its agent's peak. A target whose
 * memory is unknown admits (it is probed soon). Never places a session where it would not fit on purpose.
 */
export function memoryAdmits(
  room: MemoryRoom | null | undefined,
  need: MemoryNeed,
  target: string,
): MemoryVerdict {
  if (!room || room.availableBytes === null || need.bytes <= 0) return { ok: true };
  const freeBytes = room.availableBytes - room.promisedBytes - room.floorBytes;
  if (need.bytes <= freeBytes) return { ok: true };
  return {
    ok: false,
    freeBytes,
    reason: `waiting for memory on ${target}: ${formatGigabytes(freeBytes)} free, ${need.agent} needs ~${formatGigabytes(need.bytes)}`,
  };
}

/**
 * Disk admission: no new workspace on a target whose work root's volume is below its floor (finished
 * workspaces are cleaned up first, so it may come back above it). Sessions with a workspace there go on.
 */
export function diskAdmits(
  room: DiskRoom | null | undefined,
  need: MemoryNeed,
  target: string,
): MemoryVerdict {
  if (!need.newWorkspace || !room || room.freeBytes === null || room.floorBytes <= 0) return { ok: true };
  if (room.freeBytes >= room.floorBytes) return { ok: true };
  return {
    ok: false,
    freeBytes: Number.NEGATIVE_INFINITY,
    reason: `waiting for disk on ${target}: ${formatGigabytes(room.freeBytes)} free in its work root, below its floor of ${formatGigabytes(room.floorBytes)}`,
  };
}
