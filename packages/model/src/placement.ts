import { type DiskRoom, diskAdmits, type MemoryNeed, type MemoryRoom, memoryAdmits } from './scheduling.js';
import type { TargetStatus } from './states.js';

/** What placement needs to know of a target: its status, its slot usage and its free memory right now. */
export interface PlacementCandidate {
  id: string;
  name: string;
  status: TargetStatus;
  capacity: number;
  used: number;
  /** Its memory as last measured; without it, memory is not considered. */
  memory?: MemoryRoom | null | undefined;
  /** Its work root's free space as last measured; without it, disk is not considered. */
  disk?: DiskRoom | null | undefined;
}

export type Placement =
  | { ok: true; targetId: string }
  | {
      ok: false;
      reason:
        | 'pinned_target_unknown'
        | 'pinned_target_unavailable'
        | 'no_online_target'
        | 'capacity_full'
        | 'memory_short'
        | 'disk_short';
      detail: string;
    };

/**
 * Chooses where a session runs: its pinned target (by id or name) if it can take it, otherwise the online
 * target with the lowest load (used / capacity), ties broken by free slots then name. Draining, disabled and
 * offline targets never get new work. With a `need`, a target must also have the memory for it
 * (`memoryAdmits`) and, for a new workspace, disk above its floor (`diskAdmits`); when slots are free but
 * room is not, the session waits and says for what.
 */
export function chooseTarget(
  candidates: readonly PlacementCandidate[],
  pinned?: string | null,
  need?: MemoryNeed,
): Placement {
  const fits = (candidate: PlacementCandidate) => {
    if (!need) return { ok: true } as const;
    const disk = diskAdmits(candidate.disk, need, candidate.name);
    return disk.ok ? memoryAdmits(candidate.memory, need, candidate.name) : disk;
  };
  const short = (verdict: { reason: string }) =>
    verdict.reason.startsWith('waiting for disk') ? ('disk_short' as const) : ('memory_short' as const);
  if (pinned) {
    const target = candidates.find((candidate) => candidate.id === pinned || candidate.name === pinned);
    if (!target) return { ok: false, reason: 'pinned_target_unknown', detail: `no target named ${pinned}` };
    if (target.status !== 'online') {
      return {
        ok: false,
        reason: 'pinned_target_unavailable',
        detail: `target ${target.name} is ${target.status}`,
      };
    }
    if (target.used >= target.capacity) {
      return {
        ok: false,
        reason: 'capacity_full',
        detail: `target ${target.name} is full (${target.used}/${target.capacity})`,
      };
    }
    const memory = fits(target);
    if (!memory.ok) return { ok: false, reason: short(memory), detail: memory.reason };
    return { ok: true, targetId: target.id };
  }
  const online = candidates.filter((candidate) => candidate.status === 'online');
  if (online.length === 0) return { ok: false, reason: 'no_online_target', detail: 'no target is online' };
  const free = online.filter((candidate) => candidate.used < candidate.capacity);
  if (free.length === 0) return { ok: false, reason: 'capacity_full', detail: 'every online target is full' };
  const verdicts = free.map((candidate) => ({ candidate, memory: fits(candidate) }));
  const roomy = verdicts.filter(({ memory }) => memory.ok).map(({ candidate }) => candidate);
  if (roomy.length === 0) {
    // Say where it comes closest to fitting.
    const [closest] = verdicts
      .flatMap(({ memory }) => (memory.ok ? [] : [memory]))
      .sort((a, b) => b.freeBytes - a.freeBytes);
    return { ok: false, reason: short(closest!), detail: closest!.reason };
  }
  const [best] = [...roomy].sort(
    (a, b) =>
      a.used / a.capacity - b.used / b.capacity ||
      b.capacity - b.used - (a.capacity - a.used) ||
      a.name.localeCompare(b.name),
  );
  return { ok: true, targetId: best!.id };
}
