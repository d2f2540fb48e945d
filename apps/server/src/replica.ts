import type { Logger } from '@orcha/core';
import { isOrchaError } from '@orcha/model';
import type { Store } from '@orcha/store';

export interface ReplicaOptions {
  store: Store;
  /** This replica's id (`rep_…`), new on every start. */
  id: string;
  /** Where it serves the API, as the replicas view shows it. */
  address: string;
  /** How long the leader's lease lasts unless renewed; heartbeats come every third of it. */
  leaseMs: number;
  log: Logger;
  /** Called once, when this replica takes the lease (its writes already fenced with the new token). */
  lead(): Promise<void>;
  /**
   * Called once when this leader lost its lease — another took it, or it could not renew it in time. Its
   * writes already fail; it must stop at once (the server exits: whatever it ran is taken over).
   */
  deposed(reason: string): void;
  /** A clock that keeps running across wall-clock jumps (default `performance.now`). */
  monotonic?: () => number;
}

export interface RunningReplica {
  leading(): boolean;
  /** Stops heartbeating and leaves: a leader's lease ends now, so another takes over at its next heartbeat. */
  leave(): void;
}

/**
 * One `orcha serve` among several on one PostgreSQL database (docs/SCALING.md §2): a heartbeat every third of
 * the lease renews this replica's row and, when it leads, its lease — or takes the lease once the leader's
 * expired. Exactly one replica leads: it runs the scheduler, the monitors and every run; its store writes are
 * fenced with its token, so once deposed it writes nothing. A leader that cannot reach the store to renew
 * within its lease (by its own monotonic clock, from the moment it last asked) deposes itself.
 */
export function startReplica(options: ReplicaOptions): RunningReplica {
  const { store, id, address, leaseMs, log } = options;
  const monotonic = options.monotonic ?? (() => performance.now());
  let leading = false;
  let validUntil = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const depose = (reason: string) => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    leading = false;
    log('error', `this replica no longer leads: ${reason}`, { replica: id });
    options.deposed(reason);
  };

  const beat = () => {
    if (stopped) return;
    // A leader that renews late (its thread was busy) still leads if nobody took the lease meanwhile: the
    // heartbeat tells, under the writer lock. Only one that cannot reach the store counts its lease out.
    const asked = monotonic();
    try {
      const leadership = store.heartbeatReplica({ id, address, leaseMs });
      if (leadership.token !== null) {
        validUntil = asked + leaseMs;
        if (!leading) {
          leading = true;
          store.fenceWrites({ token: leadership.token, leaseMs });
          log('info', 'this replica leads', { replica: id, token: leadership.token });
          void options.lead().catch((error) => depose(`taking over failed: ${String(error)}`));
        }
      } else if (leading) {
        return depose(`${leadership.leader} took the lease`);
      }
    } catch (error) {
      if (leading && isOrchaError(error, 'conflict')) return depose(error.message);
      log('warn', 'replica heartbeat failed', { replica: id, error: String(error) });
      if (leading && monotonic() > validUntil) return depose('its lease ran out before it could renew it');
    }
    if (stopped) return;
    timer = setTimeout(beat, Math.max(100, Math.floor(leaseMs / 3)));
    timer.unref();
  };
  beat();

  return {
    leading: () => leading,
    leave() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      try {
        store.leaveReplicas(id);
      } catch (error) {
        log('warn', 'could not leave the replicas', { replica: id, error: String(error) });
      }
    },
  };
}
