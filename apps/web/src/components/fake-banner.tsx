import { useDashboard } from '../state/use-dashboard';

/** Unmissable when the agents are the scripted fake: nothing real is being done. */
export function FakeBanner() {
  const info = useDashboard((state) => state.info);
  if (!info?.fakeAgents) return null;
  return (
    <div className="fake-banner" role="alert" data-testid="fake-banner">
      <strong>Fake agents.</strong> Scripted offline agents are doing this work — no real model runs
      <span className="long">
        {' '}
        and nothing is pushed anywhere (forge: {info.forge}). Start orcha with{' '}
        <code>--agents claude|codex|auto</code> for real agents
      </span>
      .
    </div>
  );
}
