import { hrefFor, type Route } from '../lib/router';
import { useTheme } from '../lib/theme';
import { useDashboard } from '../state/use-dashboard';
import { ConnectionStatus } from './connection-status';

/** Counts at a glance, the views, the live-connection state and the theme toggle. */
export function TopBar({ route }: { route: Route }) {
  const counts = useDashboard((state) => state.counts);
  const targets = useDashboard((state) => state.targets.length);
  const { choice, cycle } = useTheme();
  const running = counts.running + counts.starting;
  const queued = counts.queued + counts.waiting_capacity;
  const stats = [
    { label: 'running', value: running, tone: running ? 'active' : '' },
    { label: 'queued', value: queued, tone: '' },
    { label: 'waiting on you', value: counts.openQuestions, tone: counts.openQuestions ? 'attention' : '' },
    { label: 'paused', value: counts.paused, tone: counts.paused ? 'attention' : '' },
    { label: 'open PRs', value: counts.openPullRequests, tone: '' },
    {
      label: 'targets online',
      value: `${counts.targetsOnline}/${targets}`,
      tone: counts.targetsOnline ? '' : 'bad',
    },
  ];
  const tabs: { route: Route; label: string; short: string }[] = [
    { route: { view: 'overview', sessionId: null }, label: 'Overview', short: 'Overview' },
    { route: { view: 'pulls' }, label: 'Pull requests', short: 'PRs' },
    { route: { view: 'targets' }, label: 'Targets', short: 'Targets' },
    { route: { view: 'notifications' }, label: 'Notifications', short: 'Notify' },
    { route: { view: 'settings' }, label: 'Settings', short: 'Settings' },
  ];
  return (
    <header className="top-bar">
      <a className="brand" href="#/">
        orcha
      </a>
      <nav className="views" aria-label="Views">
        {tabs.map((tab) => (
          <a
            key={tab.label}
            href={hrefFor(tab.route)}
            aria-current={tab.route.view === route.view ? 'page' : undefined}
          >
            <span className="long">{tab.label}</span>
            <span className="short">{tab.short}</span>
          </a>
        ))}
      </nav>
      <ul className="stats" aria-label="Counts">
        {stats.map((stat) => (
          <li key={stat.label} className={`stat ${stat.tone}`} data-stat={stat.label}>
            <span className="stat-value">{stat.value}</span> <span className="stat-label">{stat.label}</span>
          </li>
        ))}
      </ul>
      <ConnectionStatus />
      <button
        type="button"
        className="theme-toggle"
        onClick={cycle}
        aria-label={`Theme: ${choice}. Switch theme`}
        title={`Theme: ${choice}`}
      >
        {choice === 'dark' ? '☾' : choice === 'light' ? '☀' : '◐'}
      </button>
    </header>
  );
}
