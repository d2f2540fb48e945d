import { lazy, Suspense, useState } from 'react';
import { api } from '../api/orcha';
import { formatCost, formatCount } from '../lib/format';
import { hrefFor } from '../lib/router';
import { isTerminal, toRow } from '../state/dashboard-state';
import { useDashboard } from '../state/use-dashboard';
import { useSessionDetail } from '../state/use-session-detail';
import { AttachCommand } from './attach-command';
import { ConfirmButton } from './confirm-button';
import { ContinueOn } from './continue-on';
import { Elapsed } from './elapsed';
import { OutputsPanel } from './outputs-panel';
import { StatusChip } from './status-chip';
import { SteerBox } from './steer-box';
import { Transcript } from './transcript';

// xterm.js is large; it loads only when a terminal is shown.
const TerminalPanel = lazy(() =>
  import('./terminal-panel').then((module) => ({ default: module.TerminalPanel })),
);

type Tab = 'transcript' | 'terminal' | 'outputs';

/** Everything about one session: state, where it runs, steering, transcript, terminal, notes and artifacts. */
export function SessionDetail({ sessionId }: { sessionId: string }) {
  const { detail, error } = useSessionDetail(sessionId);
  const liveRow = useDashboard((state) => state.sessions[sessionId]);
  const [chosenTab, setTab] = useState<Tab | null>(null);
  const session = liveRow ?? (detail ? toRow(detail.session) : null);
  if (!session) {
    return (
      <section className="panel session-detail" aria-label="Session">
        <p className={error ? 'error' : 'empty'}>{error ?? 'Loading session…'}</p>
      </section>
    );
  }
  const attachCommand = session.attachCommand ?? detail?.session.attachCommand ?? null;
  const tab: Tab =
    chosenTab === 'terminal' && !attachCommand
      ? 'transcript'
      : (chosenTab ?? (attachCommand ? 'terminal' : 'transcript'));
  const terminal = isTerminal(session.status);
  const steering =
    detail?.steering ?? (session.interactivity === 'interactive' ? 'live' : 'cancel_and_resume');
  const workspace = detail?.workspace;
  // The terminal tab exists for sessions that run in tmux (they have an attach command).
  const tabs: { id: Tab; label: string }[] = [
    { id: 'transcript', label: `Transcript (${formatCount(session.messageCount)})` },
    ...(attachCommand ? [{ id: 'terminal' as const, label: 'Terminal' }] : []),
    { id: 'outputs', label: 'Notes & artifacts' },
  ];
  return (
    <section
      className="panel session-detail"
      aria-labelledby="session-title"
      data-session-detail={session.id}
    >
      <header className="detail-head">
        <div className="detail-title-row">
          <StatusChip status={session.status} />
          <h2 id="session-title" title={session.title}>
            {session.title || `${session.agent} session`}
          </h2>
          <a
            className="close"
            href={hrefFor({ view: 'overview', sessionId: null })}
            aria-label="Close session (Esc)"
          >
            ✕
          </a>
        </div>
        {session.statusReason && <p className="detail-reason">{session.statusReason}</p>}
        <dl className="facts">
          <dt>role</dt>
          <dd>{session.role}</dd>
          <dt>agent</dt>
          <dd>
            {session.agent} · {session.interactivity}
          </dd>
          <dt>target</dt>
          <dd>{detail?.target?.name ?? '—'}</dd>
          <dt>workspace</dt>
          <dd className="mono" title={workspace?.path}>
            {workspace ? `${workspace.kind}${workspace.branch ? ` · ${workspace.branch}` : ''}` : '—'}
          </dd>
          <dt>elapsed</dt>
          <dd>
            <Elapsed startedAt={session.startedAt ?? session.createdAt} endedAt={session.endedAt} />
          </dd>
          <dt>usage</dt>
          <dd className="mono">
            {formatCount(session.usage.inputTokens)} in · {formatCount(session.usage.outputTokens)} out ·{' '}
            {formatCost(session.usage.costUsd)} · {session.usage.modelCalls} calls
          </dd>
        </dl>
        {attachCommand && <AttachCommand command={attachCommand} />}
        {detail?.session.result && (
          <details className="result">
            <summary>Result</summary>
            <p>{detail.session.result}</p>
          </details>
        )}
        {!terminal && (
          <div className="detail-actions">
            <SteerBox sessionId={session.id} steering={steering} live={detail?.live ?? true} />
            <ConfirmButton
              className="cancel"
              label="Cancel session"
              confirmLabel="Confirm cancel"
              action={() => api.cancelSession(session.id)}
            />
            <ContinueOn sessionId={session.id} agent={session.agent} />
          </div>
        )}
      </header>
      <div className="tabs" role="tablist" aria-label="Session views">
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`tabpanel-${t.id}`}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="tab-body" role="tabpanel" id={`tabpanel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'transcript' && (
          <Transcript sessionId={session.id} total={session.messageCount} ended={terminal} />
        )}
        {tab === 'terminal' && (
          <Suspense fallback={<p className="empty">Loading the terminal…</p>}>
            <TerminalPanel sessionId={session.id} ended={terminal} attachCommand={attachCommand} />
          </Suspense>
        )}
        {tab === 'outputs' && (
          <OutputsPanel sessionId={session.id} objectiveId={session.objectiveId} role={session.role} />
        )}
      </div>
    </section>
  );
}
