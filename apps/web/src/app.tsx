import { useEffect, useRef, useState } from 'react';
import { ActivityFeed } from './components/activity-feed';
import { FakeBanner } from './components/fake-banner';
import { NeedsYou } from './components/needs-you';
import { NotificationsPanel } from './components/notifications-panel';
import { ObjectiveList } from './components/objective-list';
import { PullRequestList } from './components/pull-request-list';
import { SessionDetail } from './components/session-detail';
import { SettingsPanel } from './components/settings-panel';
import { TargetList } from './components/target-list';
import { TopBar } from './components/top-bar';
import { useDesktopNotifications } from './lib/desktop-notifications';
import { useKeyboard } from './lib/keyboard';
import { navigate, useRoute } from './lib/router';
import { useDashboard, useDashboardStore } from './state/use-dashboard';
import { visibleSessionIds } from './state/visible-sessions';

/** The page: top bar, then the overview (needs you, objectives, and a side panel) or a full-width view. */
export function App() {
  const route = useRoute();
  const phase = useDashboard((state) => state.phase);
  const error = useDashboard((state) => state.error);
  const [filter, setFilter] = useState('');
  const [cursor, setCursor] = useState<string | null>(null);
  const filterRef = useRef<HTMLInputElement>(null);
  const store = useDashboardStore();
  const openSessionId = route.view === 'overview' ? route.sessionId : null;
  useDesktopNotifications();

  useEffect(() => {
    if (phase !== 'ready') return;
    // Marks the first commit with data, and the first moment the overview is on screen and answering input
    // (read by bench/web.ts).
    performance.mark('orcha-commit');
    requestAnimationFrame(() => setTimeout(() => performance.mark('orcha-interactive'), 0));
    document.documentElement.dataset.ready = 'true';
  }, [phase]);

  useEffect(() => {
    if (cursor) document.querySelector(`[data-session-id="${cursor}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [cursor]);

  useKeyboard({
    next: () =>
      setCursor((current) => step(visibleSessionIds(store.getState(), filter), current ?? openSessionId, 1)),
    previous: () =>
      setCursor((current) => step(visibleSessionIds(store.getState(), filter), current ?? openSessionId, -1)),
    open: () => {
      if (cursor) navigate({ view: 'overview', sessionId: cursor });
    },
    search: () => {
      if (route.view !== 'overview') navigate({ view: 'overview', sessionId: openSessionId });
      if (filterRef.current) filterRef.current.focus();
      else requestAnimationFrame(() => filterRef.current?.focus());
    },
    escape: () => {
      if (openSessionId) navigate({ view: 'overview', sessionId: null });
      else if (filter) setFilter('');
      else setCursor(null);
    },
  });

  return (
    <div className="app">
      <TopBar route={route} />
      <FakeBanner />
      {phase === 'error' && (
        <p className="load-error" role="alert">
          Cannot load the dashboard: {error}. Retrying…
        </p>
      )}
      {route.view === 'overview' && (
        <main className={`overview${openSessionId ? ' has-detail' : ''}`}>
          <div className="overview-main">
            <NeedsYou />
            <ObjectiveList
              filter={filter}
              onFilter={setFilter}
              filterRef={filterRef}
              cursor={cursor}
              openSessionId={openSessionId}
            />
          </div>
          <aside className="overview-side" aria-label={openSessionId ? 'Session detail' : 'What changed'}>
            {openSessionId ? (
              <SessionDetail key={openSessionId} sessionId={openSessionId} />
            ) : (
              <ActivityFeed />
            )}
          </aside>
        </main>
      )}
      {route.view === 'pulls' && (
        <main className="page">
          <PullRequestList />
        </main>
      )}
      {route.view === 'targets' && (
        <main className="page">
          <TargetList />
        </main>
      )}
      {route.view === 'notifications' && (
        <main className="page">
          <NotificationsPanel />
        </main>
      )}
      {route.view === 'settings' && (
        <main className="page">
          <SettingsPanel />
        </main>
      )}
    </div>
  );
}

function step(ids: readonly string[], current: string | null, by: 1 | -1): string | null {
  if (ids.length === 0) return null;
  const index = current ? ids.indexOf(current) : -1;
  const next =
    index === -1 ? (by === 1 ? 0 : ids.length - 1) : Math.min(ids.length - 1, Math.max(0, index + by));
  return ids[next] ?? null;
}
