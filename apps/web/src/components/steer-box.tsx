import type { Schemas } from '@orcha/client';
import { type FormEvent, useId, useState } from 'react';
import { api, errorText } from '../api/orcha';

type Delivery = Schemas['Delivery'];
type Steering = Schemas['SessionDetail']['steering'];

const deliveries: Record<Delivery, string> = {
  live: 'delivered to the running agent',
  restart: 'the run was stopped and resumes with your message',
  queued: 'queued: the session gets it when it next starts',
};

const modes = {
  live: 'live — goes to the running agent',
  cancel_and_resume: 'by cancel + resume — the run restarts with it',
  queued: 'queued — the session gets it when it next starts',
} as const;

/**
 * A message to the agent. It says up front how it will arrive: on the live process (interactive agents), by
 * stopping and resuming the run on the same conversation (non-interactive ones), or when the session next
 * starts (no process right now).
 */
export function SteerBox({
  sessionId,
  steering,
  live,
}: {
  sessionId: string;
  steering: Steering;
  live: boolean;
}) {
  const mode = live ? steering : 'queued';
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const id = useId();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    setSending(true);
    setResult(null);
    try {
      const { delivery } = await api.steer(sessionId, text.trim());
      setText('');
      setResult({ ok: true, text: `Sent — ${deliveries[delivery]}.` });
    } catch (failure) {
      setResult({ ok: false, text: errorText(failure) });
    } finally {
      setSending(false);
    }
  };
  return (
    <form className="steer" onSubmit={(event) => void submit(event)}>
      <label htmlFor={id} className="steer-label">
        Steer{' '}
        <span className={`mode mode-${mode}`} data-steering={mode}>
          {modes[mode]}
        </span>
      </label>
      <div className="steer-row">
        <input
          id={id}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="Tell the agent…"
          autoComplete="off"
          disabled={sending}
        />
        <button type="submit" className="primary" disabled={sending || !text.trim()}>
          {sending ? 'Sending…' : 'Send'}
        </button>
      </div>
      <p className={`steer-result ${result?.ok === false ? 'error' : 'muted'}`} role="status">
        {result?.text ?? '\u00a0'}
      </p>
    </form>
  );
}
