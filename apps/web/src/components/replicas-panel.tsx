import type { Replica } from '@orcha/client';
import { useCallback, useEffect, useState } from 'react';
import { api, errorText } from '../api/orcha';
import { formatRelative } from '../lib/format';
import { useNow } from '../lib/ticker';

const refreshMs = 2_000;

/**
 * The `orcha serve` replicas on a shared PostgreSQL database: id, address, which one leads (schedules and
 * runs the sessions) and each one's last heartbeat. Hidden on SQLite, where one process is all there is.
 */
export function ReplicasPanel() {
  const [replicas, setReplicas] = useState<Replica[]>([]);
  const [leaseMs, setLeaseMs] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const now = useNow();

  const load = useCallback(async (signal?: AbortSignal) => {
    try {
      const answer = await api.replicas(signal);
      setReplicas(answer.replicas);
      setLeaseMs(answer.leaseMs);
      setError(null);
    } catch (caught) {
      if (!signal?.aborted) setError(errorText(caught));
    }
  }, []);
  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    // Heartbeats are not events: the list is read again while it is on screen.
    const timer = setInterval(() => void load(controller.signal), refreshMs);
    return () => {
      clearInterval(timer);
      controller.abort();
    };
  }, [load]);

  if (leaseMs === null && !error) return null;
  return (
    <section className="panel replicas" aria-labelledby="replicas-title">
      <h2 id="replicas-title">
        Replicas <span className="count">{replicas.length}</span>
      </h2>
      {leaseMs !== null && (
        <p className="muted">
          One replica leads: it schedules and runs the sessions. A leader silent for {leaseMs / 1000} s is
          replaced, and its sessions taken over.
        </p>
      )}
      {error && (
        <p className="load-error" role="alert">
          {error}
        </p>
      )}
      <table className="replica-table">
        <thead>
          <tr>
            <th scope="col">Replica</th>
            <th scope="col">Address</th>
            <th scope="col">Role</th>
            <th scope="col">Last heartbeat</th>
          </tr>
        </thead>
        <tbody>
          {replicas.map((replica) => {
            const silent = leaseMs !== null && now - replica.heartbeatAt > leaseMs;
            return (
              <tr key={replica.id} data-replica={replica.id} data-leader={replica.leader}>
                <td>
                  <code>{replica.id}</code>
                </td>
                <td>{replica.address}</td>
                <td>
                  <span
                    className={`chip ${replica.leader ? 'target-online' : silent ? 'target-offline' : ''}`}
                  >
                    {replica.leader ? 'leader' : silent ? 'silent' : 'follower'}
                  </span>
                </td>
                <td>{formatRelative(replica.heartbeatAt, now)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
