import type { Notification as NotificationEntry } from '@orcha/client';
import { useCallback, useEffect, useState } from 'react';
import { api, errorText } from '../api/orcha';
import { type DesktopChoice, desktopChoice, setDesktopNotifications } from '../lib/desktop-notifications';
import { formatRelative } from '../lib/format';
import { useNow } from '../lib/ticker';

const refreshMs = 5_000;

/** Where orcha told the person what, and how each sink's delivery went; desktop notifications on or off. */
export function NotificationsPanel() {
  const [entries, setEntries] = useState<NotificationEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [desktop, setDesktop] = useState<DesktopChoice>(desktopChoice);
  const now = useNow();

  const load = useCallback(async (signal?: AbortSignal) => {
    try {
      setEntries((await api.notifications(signal)).notifications);
      setError(null);
    } catch (caught) {
      if (!signal?.aborted) setError(errorText(caught));
    }
  }, []);
  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    // Delivery attempts change no dashboard state, so the log is read again while it is on screen.
    const timer = setInterval(() => void load(controller.signal), refreshMs);
    return () => {
      clearInterval(timer);
      controller.abort();
    };
  }, [load]);

  const sinks = [...new Set((entries ?? []).flatMap((entry) => entry.deliveries.map((d) => d.sink)))].sort();
  return (
    <div className="notifications-page">
      <section className="panel notifications-settings" aria-labelledby="desktop-title">
        <h2 id="desktop-title">Desktop notifications</h2>
        <p className="muted">
          While this dashboard is open, the browser can say when orcha needs you, an objective ends or a
          target goes offline. Webhook and ntfy sinks are set in the configuration file (<code>notify</code>)
          or with <code>orcha serve --notify-webhook</code> and <code>--notify-ntfy</code>.
        </p>
        {desktop === 'unsupported' && <p className="empty">This browser has no desktop notifications.</p>}
        {desktop === 'blocked' && (
          <p className="empty">Blocked for this site in the browser's settings; allow them there.</p>
        )}
        {(desktop === 'on' || desktop === 'off') && (
          <button
            type="button"
            onClick={() => void setDesktopNotifications(desktop === 'off').then(setDesktop)}
            aria-pressed={desktop === 'on'}
          >
            {desktop === 'on' ? 'Turn desktop notifications off' : 'Turn desktop notifications on'}
          </button>
        )}
      </section>
      <section className="panel notifications" aria-labelledby="notifications-title">
        <h2 id="notifications-title">
          Notifications <span className="count">{entries?.length ?? 0}</span>
        </h2>
        <p className="muted" data-sinks={sinks.join(',')}>
          {sinks.length ? `Sinks: ${sinks.join(', ')}` : 'No sink has been configured.'}
        </p>
        {error && (
          <p className="load-error" role="alert">
            {error}
          </p>
        )}
        {entries?.length === 0 && <p className="empty">Nothing to tell yet.</p>}
        <ul className="notification-list">
          {(entries ?? []).map((entry) => (
            <li key={entry.id} className="notification" data-notification-key={entry.key}>
              <div className="notification-head">
                <span className="chip">{entry.kind}</span>
                <strong>{entry.title}</strong>
                <span className="muted">{formatRelative(entry.at, now)}</span>
              </div>
              {entry.body && <p className="notification-body">{entry.body}</p>}
              <ul className="deliveries" aria-label="Deliveries">
                {entry.deliveries.map((delivery) => (
                  <li
                    key={delivery.sink}
                    className={`delivery delivery-${delivery.status}`}
                    data-sink={delivery.sink}
                    data-status={delivery.status}
                  >
                    <span className="mono">{delivery.sink}</span> {delivery.status} · {delivery.attempts}{' '}
                    {delivery.attempts === 1 ? 'attempt' : 'attempts'}
                    {delivery.status === 'pending' && delivery.attempts > 0 && (
                      <> · next {formatRelative(delivery.nextAttemptAt, now)}</>
                    )}
                    {delivery.lastError && <span className="delivery-error"> · {delivery.lastError}</span>}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
