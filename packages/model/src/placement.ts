import type { TargetStatus } from './states.js';

/** What placement needs to know of a target: its status and its slot usage right now. */
export interface PlacementCandidate {
  id: string;
  name: string;
  status: TargetStatus;
  capacity: number;
  used: number;
}

export type Placement =
  | { ok: true; targetId: string }
  | {
      ok: false;
      reason: 'pinned_target_unknown' | 'pinned_target_unavailable' | 'no_online_target' | 'capacity_full';
      detail: string;
    };

/**
 * Chooses where a session runs: its pinned target (by id or name) if it can take it, otherwise the online
 * target with the lowest load (used / capacity), ties broken by free slots then name. Draining, disabled and
 * offline targets never get new work.
 */
export function chooseTarget(candidates: readonly PlacementCandidate[], pinned?: string | null): Placement {
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
    return { ok: true, targetId: target.id };
  }
  const online = candidates.filter((candidate) => candidate.status === 'online');
  if (online.length === 0) return { ok: false, reason: 'no_online_target', detail: 'no target is online' };
  const free = online.filter((candidate) => candidate.used < candidate.capacity);
  if (free.length === 0) return { ok: false, reason: 'capacity_full', detail: 'every online target is full' };
  const [best] = [...free].sort(
    (a, b) =>
      a.used / a.capacity - b.used / b.capacity ||
      b.capacity - b.used - (a.capacity - a.used) ||
      a.name.localeCompare(b.name),
  );
  return { ok: true, targetId: best!.id };
}
