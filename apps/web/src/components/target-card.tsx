import type { TargetWithLoad } from '@orcha/client';
import { useState } from 'react';
import { api, errorText } from '../api/orcha';
import { DoctorReportView } from './doctor-report';
import { TargetHealthLine } from './target-health';

type Action = 'drain' | 'disable' | 'enable' | 'doctor';

/** One machine: status, slots used, where, its last doctor report and the actions that take it in or out. */
export function TargetCard({ target }: { target: TargetWithLoad }) {
  const [busy, setBusy] = useState<Action | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (action: Action) => {
    setBusy(action);
    setError(null);
    try {
      if (action === 'doctor') await api.doctor(target.id);
      else await api.setTarget(target.id, action);
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(null);
    }
  };
  const where =
    target.kind === 'local'
      ? 'this machine'
      : `${target.user ?? ''}@${target.host ?? ''}${target.port ? `:${target.port}` : ''}`;
  const percent = Math.min(100, Math.round((target.used / target.capacitySessions) * 100));
  return (
    <article
      className={`target status-${target.status}`}
      data-target-id={target.id}
      data-target-name={target.name}
      aria-labelledby={`target-${target.id}`}
    >
      <header className="target-head">
        <span className={`chip target-${target.status}`}>{target.status}</span>
        <h3 id={`target-${target.id}`}>{target.name}</h3>
        <span className="muted mono">
          {target.kind} · {where}
        </span>
        <span className="capacity" title="sessions running / capacity">
          <span className="meter" aria-hidden="true">
            <span style={{ width: `${percent}%` }} />
          </span>
          <span className="mono">
            {target.used}/{target.capacitySessions}
          </span>
        </span>
      </header>
      <p className="muted mono target-root">work root {target.workRoot}</p>
      <TargetHealthLine health={target.health} />
      <div className="target-actions">
        <button type="button" className="small" disabled={busy !== null} onClick={() => void run('doctor')}>
          {busy === 'doctor' ? 'Checking…' : 'Run doctor'}
        </button>
        {target.status === 'online' && (
          <button type="button" className="small" disabled={busy !== null} onClick={() => void run('drain')}>
            Drain
          </button>
        )}
        {target.status !== 'disabled' && (
          <button
            type="button"
            className="small"
            disabled={busy !== null}
            onClick={() => void run('disable')}
          >
            Disable
          </button>
        )}
        {target.status !== 'online' && (
          <button type="button" className="small" disabled={busy !== null} onClick={() => void run('enable')}>
            Enable
          </button>
        )}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {target.doctor ? (
        <DoctorReportView report={target.doctor} />
      ) : (
        <p className="empty">No doctor report yet.</p>
      )}
    </article>
  );
}
