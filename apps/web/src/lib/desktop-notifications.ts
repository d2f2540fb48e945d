import type { OrchaEvent } from '@orcha/model';
import { useEffect, useRef } from 'react';
import type { DashboardState } from '../state/dashboard-state';
import { useDashboard } from '../state/use-dashboard';

const key = 'orcha.desktop-notifications';

export type DesktopChoice = 'on' | 'off' | 'unsupported' | 'blocked';

/** Whether this browser shows orcha's desktop notifications (asked once; the browser keeps the answer). */
export function desktopChoice(): DesktopChoice {
  if (typeof Notification === 'undefined') return 'unsupported';
  if (Notification.permission === 'denied') return 'blocked';
  try {
    return Notification.permission === 'granted' && localStorage.getItem(key) === 'on' ? 'on' : 'off';
  } catch {
    return 'off';
  }
}

/** Turns desktop notifications on (asking the browser's permission the first time) or off. */
export async function setDesktopNotifications(on: boolean): Promise<DesktopChoice> {
  if (typeof Notification === 'undefined') return 'unsupported';
  if (on && Notification.permission === 'default') await Notification.requestPermission();
  try {
    localStorage.setItem(key, on && Notification.permission === 'granted' ? 'on' : 'off');
  } catch {
    // Private windows may refuse storage.
  }
  return desktopChoice();
}

/** What a desktop notification says for an event, or null for events that need nobody. */
export function desktopNotice(
  event: OrchaEvent,
  state: Pick<DashboardState, 'objectives' | 'targets'>,
): { title: string; body: string } | null {
  const objective = (id: string) => state.objectives[id]?.title ?? 'an objective';
  switch (event.type) {
    case 'question-open':
      return {
        title: 'orcha needs you',
        body: `${objective(event.objectiveId)}: ${event.kind.replace('_', ' ')}`,
      };
    case 'objective-status-change':
      if (event.to === 'active') return null;
      return { title: `Objective ${event.to}`, body: objective(event.objectiveId) };
    case 'budget-change':
      // At 100 % the budget's question is the notice.
      if (event.level !== 80 || event.from >= 80) return null;
      return {
        title: 'Budget at 80%',
        body: `${objective(event.objectiveId)}: ${event.sessionId ? 'a session has' : 'the objective has'} spent 80% of its budget`,
      };
    case 'target-status-change': {
      if (event.to !== 'offline') return null;
      const name = state.targets.find((target) => target.id === event.targetId)?.name ?? 'a target';
      return { title: 'Target offline', body: name };
    }
    default:
      return null;
  }
}

/** Shows a desktop notification for each new event that needs the person, while the dashboard is open. */
export function useDesktopNotifications(): void {
  const feed = useDashboard((state) => state.feed);
  const snapshotEventId = useDashboard((state) => state.snapshotEventId);
  const objectives = useDashboard((state) => state.objectives);
  const targets = useDashboard((state) => state.targets);
  const seen = useRef(0);
  useEffect(() => {
    // Events the loaded snapshot already contains are history, not news.
    const after = Math.max(seen.current, snapshotEventId);
    const fresh = feed.filter((event) => event.id > after);
    seen.current = Math.max(after, feed[0]?.id ?? 0);
    if (fresh.length === 0 || desktopChoice() !== 'on') return;
    for (const event of fresh.reverse()) {
      const notice = desktopNotice(event, { objectives, targets });
      if (notice) new Notification(notice.title, { body: notice.body, tag: `orcha-event-${event.id}` });
    }
  }, [feed, snapshotEventId, objectives, targets]);
}
