import { formatRelative, shortSha } from '../lib/format';
import { hrefFor } from '../lib/router';
import { useNow } from '../lib/ticker';
import { useDashboard } from '../state/use-dashboard';
import { StatusChip } from './status-chip';

/** Every pull request: state, head, checks, review feedback and the follow-up session each item spawned. */
export function PullRequestList() {
  const pullRequests = useDashboard((state) => state.pullRequests);
  const objectives = useDashboard((state) => state.objectives);
  const sessions = useDashboard((state) => state.sessions);
  const now = useNow();
  const sorted = [...pullRequests].sort(
    (a, b) => Number(b.state === 'open') - Number(a.state === 'open') || b.updatedAt - a.updatedAt,
  );
  return (
    <section className="panel pulls" aria-labelledby="pulls-title">
      <h2 id="pulls-title">
        Pull requests <span className="count">{pullRequests.length}</span>
      </h2>
      {sorted.length === 0 && <p className="empty">No pull requests yet.</p>}
      <ul className="pr-list">
        {sorted.map((pr) => {
          const author = pr.sessionId ? sessions[pr.sessionId] : undefined;
          return (
            <li key={pr.id} className={`pr state-${pr.state}`} data-pr-id={pr.id}>
              <div className="pr-head">
                <span className={`chip pr-${pr.state}`}>{pr.state}</span>
                <a className="pr-title" href={pr.url} target="_blank" rel="noreferrer">
                  #{pr.number} {pr.title}
                </a>
                <span className={`checks checks-${pr.checks}`}>checks: {pr.checks}</span>
              </div>
              <div className="pr-meta muted">
                <span className="mono">{pr.repo}</span>
                <span className="mono">
                  {pr.branch} → {pr.baseBranch}
                </span>
                <span className="mono" title={pr.headSha}>
                  head {shortSha(pr.headSha)}
                </span>
                <span>{objectives[pr.objectiveId]?.title ?? ''}</span>
                {pr.sessionId && (
                  <a href={hrefFor({ view: 'overview', sessionId: pr.sessionId })}>
                    by {author ? author.title || author.agent : 'session'}
                  </a>
                )}
                <span>updated {formatRelative(pr.updatedAt, now)}</span>
              </div>
              {pr.feedback.length > 0 && (
                <ul className="feedback" aria-label={`Feedback on #${pr.number}`}>
                  {pr.feedback.map((item) => {
                    const followUp = item.followupSessionId ? sessions[item.followupSessionId] : undefined;
                    return (
                      <li key={item.id} className="feedback-item">
                        <span className="badge">{item.kind.replace('_', ' ')}</span>
                        <span className="feedback-author">{item.author}</span>
                        <span className="feedback-body" title={item.body}>
                          {item.body}
                        </span>
                        {item.followupSessionId ? (
                          <a
                            className="followup"
                            href={hrefFor({ view: 'overview', sessionId: item.followupSessionId })}
                          >
                            follow-up {followUp ? <StatusChip status={followUp.status} /> : '→'}
                          </a>
                        ) : (
                          <span className="muted">not dispatched yet</span>
                        )}
                      </li>
                    );
                  })}
                </ul>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
