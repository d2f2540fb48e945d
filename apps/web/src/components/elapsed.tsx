import { formatDuration } from '../lib/format';
import { useNow } from '../lib/ticker';

/** Time since start; ticks while running, fixed once ended. */
export function Elapsed({ startedAt, endedAt }: { startedAt: number; endedAt: number | null }) {
  const now = useNow(endedAt === null);
  return (
    <time dateTime={`PT${Math.round(((endedAt ?? now) - startedAt) / 1000)}S`}>
      {formatDuration((endedAt ?? now) - startedAt)}
    </time>
  );
}
