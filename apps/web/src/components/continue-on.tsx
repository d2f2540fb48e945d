import { useState } from 'react';
import { api, errorText } from '../api/orcha';
import { useDashboard } from '../state/use-dashboard';

/**
 * "Continue on…": moves a session to another configured agent mid-task (same workspace, a handoff prompt).
 * Agents whose usage is exhausted are listed but cannot be chosen; nothing runs on an exhausted account.
 */
export function ContinueOn({ sessionId, agent }: { sessionId: string; agent: string }) {
  const agents = useDashboard((state) => state.info?.agents ?? []);
  const providers = useDashboard((state) => state.providers);
  const [choice, setChoice] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const now = Date.now();
  const exhausted = (name: string) =>
    providers.some((usage) => usage.provider === name && (usage.exhaustedUntil ?? 0) > now);
  const others = agents.filter((name) => name !== agent);
  if (others.length === 0) return null;
  const submit = async () => {
    if (!choice) return;
    setBusy(true);
    setError(null);
    try {
      await api.continueOn(sessionId, choice);
      setChoice('');
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="continue-on"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <label>
        <span>Continue on…</span>
        <select
          aria-label="Continue on agent"
          value={choice}
          disabled={busy}
          onChange={(event) => setChoice(event.target.value)}
        >
          <option value="">choose an agent</option>
          {others.map((name) => (
            <option key={name} value={name} disabled={exhausted(name)}>
              {exhausted(name) ? `${name} (out of usage)` : name}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="quiet small" disabled={busy || !choice}>
        Switch
      </button>
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
