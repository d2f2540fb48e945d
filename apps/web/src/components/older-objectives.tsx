import { useState } from 'react';
import { errorText } from '../api/orcha';
import { useDashboard, useDashboardStore } from '../state/use-dashboard';

/** Loads finished objectives older than those shown, a page at a time, when the person asks for them. */
export function OlderObjectives() {
  const store = useDashboardStore();
  const more = useDashboard((state) => state.phase === 'ready' && state.historyNext !== null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!more) return null;
  const load = async () => {
    setBusy(true);
    setError(null);
    try {
      await store.loadOlder();
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="older-objectives">
      <button type="button" className="quiet" disabled={busy} onClick={() => void load()}>
        {busy ? 'Loading…' : 'Show older objectives'}
      </button>
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
