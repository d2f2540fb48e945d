import type { SessionStatus } from '@orcha/model';

const labels: Record<SessionStatus, string> = {
  queued: 'queued',
  waiting_capacity: 'no capacity',
  starting: 'starting',
  running: 'running',
  waiting_input: 'waiting input',
  paused: 'paused',
  completed: 'completed',
  failed: 'failed',
  canceled: 'canceled',
};

export function StatusChip({ status }: { status: SessionStatus }) {
  return <span className={`chip status-${status}`}>{labels[status]}</span>;
}
