import { useState } from 'react';
import { describeEvent } from '../lib/describe-event';
import { formatTime } from '../lib/format';
import { hrefFor } from '../lib/router';
import { useDashboard } from '../state/use-dashboard';

/** "What changed": the newest events, one compact line each. Transcript chatter can be hidden. */
export function ActivityFeed() {
  const feed = useDashboard((state) => state.feed);
  const sessions = useDashboard((state) => state.sessions);
  const objectives = useDashboard((state) => state.objectives);
  const targets = useDashboard((state) => state.targets);
  const [showOutput, setShowOutput] = useState(false);
  const names = { sessions, objectives, targets };
  const shown = showOutput
    ? feed
    : feed.filter((event) => event.type !== 'message-append' && event.type !== 'session-update');
  return (
    <section className="panel activity" aria-labelledby="activity-title">
      <div className="panel-head">
        <h2 id="activity-title">What changed</h2>
        <label className="toggle">
          <input type="checkbox" checked={showOutput} onChange={(e) => setShowOutput(e.target.checked)} />
          output &amp; updates
        </label>
      </div>
      {shown.length === 0 && <p className="empty">Nothing yet.</p>}
      <ol className="events" aria-label="Recent events">
        {shown.map((event) => {
          const line = describeEvent(event, names);
          return (
            <li
              key={event.id}
              className={`event tone-${line.tone}`}
              data-event-id={event.id}
              data-event-type={event.type}
            >
              <time className="event-time" dateTime={new Date(event.at).toISOString()}>
                {formatTime(event.at)}
              </time>
              <span className="event-tag">{line.tag}</span>
              {line.sessionId ? (
                <a
                  className="event-text"
                  href={hrefFor({ view: 'overview', sessionId: line.sessionId })}
                  title={line.text}
                >
                  {line.text}
                </a>
              ) : (
                <span className="event-text" title={line.text}>
                  {line.text}
                </span>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
