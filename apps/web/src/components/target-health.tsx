import type { TargetHealth } from '@orcha/model';

/** `1288490188` → `1.2 GB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/**
 * What the heartbeat last read on a target — free memory, load, free disk — and, while it holds the target
 * offline, why.
 */
export function TargetHealthLine({ health }: { health: TargetHealth | null }) {
  if (!health) return null;
  const figures = [
    health.memAvailableBytes !== null ? `${formatBytes(health.memAvailableBytes)} memory free` : null,
    health.load1 !== null ? `load ${health.load1.toFixed(2)}` : null,
    health.diskFreeBytes !== null ? `${formatBytes(health.diskFreeBytes)} disk free` : null,
    health.missed > 0 ? `${health.missed} probe${health.missed === 1 ? '' : 's'} missed` : null,
  ].filter(Boolean);
  return (
    <>
      {figures.length > 0 && (
        <p className="muted mono target-health" data-testid="target-health">
          {figures.join(' · ')}
        </p>
      )}
      {health.offlineReason && (
        <p className="error target-offline-reason" role="status">
          offline: {health.offlineReason}
        </p>
      )}
    </>
  );
}
