import type { Usage } from '@orcha/model';

/** Compact durations: 42s, 3m 05s, 2h 10m, 3d 4h. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** 950, 12.3k, 4.5M */
export function formatCount(value: number): string {
  if (value < 1000) return String(value);
  if (value < 1_000_000) return `${(value / 1000).toFixed(value < 10_000 ? 1 : 0)}k`;
  return `${(value / 1_000_000).toFixed(1)}M`;
}

export function formatCost(usd: number): string {
  if (usd === 0) return '$0';
  if (usd < 0.01) return '<$0.01';
  return `$${usd.toFixed(2)}`;
}

export function formatUsage(usage: Usage): string {
  return `${formatCount(usage.inputTokens + usage.outputTokens)} tok · ${formatCost(usage.costUsd)}`;
}

// Intl formatters are costly to create: one of each, reused for every line.
const clock = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});
const day = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const dayLength = 86_400_000;

/** Clock time for today, date and time otherwise. */
export function formatTime(at: number, now: number = Date.now()): string {
  const time = clock.format(at);
  const offset = new Date(now).getTimezoneOffset() * 60_000;
  const sameDay = Math.floor((at - offset) / dayLength) === Math.floor((now - offset) / dayLength);
  return sameDay ? time : `${day.format(at)} ${time}`;
}

/** "in 12m" / "3m ago" */
export function formatRelative(at: number, now: number): string {
  const delta = at - now;
  return delta >= 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`;
}

export function shortId(id: string): string {
  return id.length > 12 ? id.slice(-8) : id;
}

export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}
