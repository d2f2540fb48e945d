import { useDashboard } from '../state/use-dashboard';

const labels = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…' } as const;

/** Whether the change feed is connected: the dot is green only while events flow. */
export function ConnectionStatus() {
  const connection = useDashboard((state) => state.connection);
  return (
    <output className={`connection ${connection}`} aria-live="polite" data-connection={connection}>
      <span className="dot" aria-hidden="true" />
      {labels[connection]}
    </output>
  );
}
