import type { SessionRow } from '@orcha/client';
import { type CSSProperties, memo } from 'react';
import { formatUsage } from '../lib/format';
import { hrefFor } from '../lib/router';
import { BudgetBar } from './budget-bar';
import { Elapsed } from './elapsed';
import { StatusChip } from './status-chip';

interface Props {
  session: SessionRow;
  depth: number;
  /** Under the keyboard cursor. */
  selected: boolean;
  /** Shown in the side panel. */
  open: boolean;
  /** Where it runs, by name. */
  targetName: string | undefined;
}

/** One session on one fixed-height row: who, doing what, in which state and why, where, for how long, at what cost. */
export const SessionRowView = memo(function SessionRowView({
  session,
  depth,
  selected,
  open,
  targetName,
}: Props) {
  const followUp = session.pullRequestId !== null;
  const role = session.role === 'manager' ? 'manager' : followUp ? 'follow-up' : 'worker';
  return (
    <li className="session-item">
      <a
        className={`session-row${selected ? ' selected' : ''}${open ? ' open' : ''}`}
        href={hrefFor({ view: 'overview', sessionId: open ? null : session.id })}
        aria-current={open ? 'true' : undefined}
        data-session-id={session.id}
        data-status={session.status}
        data-role={role}
        style={{ '--depth': depth } as CSSProperties}
      >
        <span className={`role role-${role}`}>{role}</span>
        <span className="session-main">
          <span className="session-title" title={session.title}>
            {session.title || `${session.agent} session`}
          </span>
          <span className="activity" title={session.lastActivity ?? undefined}>
            {session.lastActivity ?? '—'}
          </span>
        </span>
        <span className="session-agent">{session.agent}</span>
        <span className="session-status">
          <StatusChip status={session.status} />
          <span className="reason" title={session.statusReason ?? undefined}>
            {session.statusReason ?? ''}
          </span>
        </span>
        <span className="session-target" title="target">
          {targetName ?? '—'}
        </span>
        <span className="session-elapsed">
          <Elapsed startedAt={session.startedAt ?? session.createdAt} endedAt={session.endedAt} />
        </span>
        <span className="session-usage">
          {formatUsage(session.usage)}
          {session.budget && (
            <BudgetBar
              limits={session.budget}
              spent={{
                tokens: session.usage.inputTokens + session.usage.outputTokens,
                usd: session.usage.costUsd,
                modelCalls: session.usage.modelCalls,
                minutes: session.startedAt
                  ? ((session.endedAt ?? Date.now()) - session.startedAt) / 60_000
                  : 0,
              }}
              label={`${session.title || session.agent} spent`}
            />
          )}
        </span>
      </a>
    </li>
  );
});
