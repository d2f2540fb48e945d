import type { NewTarget, TargetRegistration } from '@orcha/client';
import { type FormEvent, useState } from 'react';
import { api, errorText } from '../api/orcha';
import { useDashboardStore } from '../state/use-dashboard';
import { DoctorReportView } from './doctor-report';
import { Field } from './field';

/**
 * Registers a machine. The server bootstraps it and runs the doctor; the answer shows exactly which
 * checks fail and how to fix them, and the machine only goes online when every required one passes.
 */
export function AddTargetForm() {
  const store = useDashboardStore();
  const [kind, setKind] = useState<'ssh' | 'local'>('ssh');
  const [fields, setFields] = useState({
    name: '',
    host: '',
    user: '',
    port: '',
    identityFile: '',
    workRoot: '',
    capacity: '4',
    bootstrap: '',
  });
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<TargetRegistration | null>(null);
  const [error, setError] = useState<string | null>(null);
  const set = (key: keyof typeof fields) => (event: { target: { value: string } }) =>
    setFields({ ...fields, [key]: event.target.value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSending(true);
    setError(null);
    setResult(null);
    const input: NewTarget = {
      name: fields.name.trim(),
      kind,
      workRoot: fields.workRoot.trim(),
      capacitySessions: Number(fields.capacity) || 4,
    };
    if (kind === 'ssh') {
      input.host = fields.host.trim();
      input.user = fields.user.trim();
      if (fields.port.trim()) input.port = Number(fields.port);
      if (fields.identityFile.trim()) input.identityFile = fields.identityFile.trim();
    }
    if (fields.bootstrap.trim()) input.bootstrap = fields.bootstrap.trim();
    try {
      setResult(await api.createTarget(input));
      store.refresh({ kind: 'targets' });
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setSending(false);
    }
  };

  return (
    <section className="panel add-target" aria-labelledby="add-target-title">
      <h2 id="add-target-title">Add a machine</h2>
      <form onSubmit={(event) => void submit(event)} className="target-form">
        <fieldset className="kind-choice">
          <legend>Kind</legend>
          <label>
            <input type="radio" name="kind" checked={kind === 'ssh'} onChange={() => setKind('ssh')} /> SSH
            machine
          </label>
          <label>
            <input type="radio" name="kind" checked={kind === 'local'} onChange={() => setKind('local')} />{' '}
            this machine
          </label>
        </fieldset>
        <Field label="Name">
          <input
            value={fields.name}
            onChange={set('name')}
            required
            pattern="[A-Za-z0-9][A-Za-z0-9_.\-]{0,62}"
            placeholder="gpu-box"
          />
        </Field>
        {kind === 'ssh' && (
          <>
            <Field label="Host">
              <input
                value={fields.host}
                onChange={set('host')}
                required
                placeholder="10.0.0.5"
                className="mono"
              />
            </Field>
            <Field label="User">
              <input value={fields.user} onChange={set('user')} required placeholder="bot" className="mono" />
            </Field>
            <Field label="Port">
              <input
                value={fields.port}
                onChange={set('port')}
                inputMode="numeric"
                placeholder="22"
                className="mono"
              />
            </Field>
            <Field label="Identity file">
              <input
                value={fields.identityFile}
                onChange={set('identityFile')}
                placeholder="~/.ssh/id_ed25519"
                className="mono"
              />
            </Field>
          </>
        )}
        <Field label="Work root">
          <input
            value={fields.workRoot}
            onChange={set('workRoot')}
            required
            placeholder="/home/bot/work"
            className="mono"
          />
        </Field>
        <Field label="Capacity (sessions)">
          <input value={fields.capacity} onChange={set('capacity')} type="number" min={1} max={1000} />
        </Field>
        <Field label="Bootstrap command (optional)" wide>
          <input
            value={fields.bootstrap}
            onChange={set('bootstrap')}
            placeholder="mkdir -p /home/bot/work"
            className="mono"
          />
        </Field>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={sending}>
            {sending ? 'Registering and checking…' : 'Add and run doctor'}
          </button>
        </div>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <div className="registration" role="status" data-registered={result.target.name}>
          <p>
            <strong>{result.target.name}</strong> is <strong>{result.target.status}</strong>
            {result.doctor.ok
              ? ' — every required check passed.'
              : ' — it stays offline until these are fixed:'}
          </p>
          <DoctorReportView report={result.doctor} />
        </div>
      )}
    </section>
  );
}
