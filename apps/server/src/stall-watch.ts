import type { Logger } from '@orcha/core';

/**
 * Logs each time orcha's one thread was held past `thresholdMs` (a long synchronous call: a store query
 * waiting on a lock, a large parse): while it is held, no request, feed or agent is answered. A tick every
 * `tickMs` measures how late it ran.
 */
export function watchEventLoop(
  log: Logger,
  options: { tickMs?: number; thresholdMs?: number } = {},
): () => void {
  const tickMs = options.tickMs ?? 250;
  const thresholdMs = options.thresholdMs ?? 1_000;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const late = now - last - tickMs;
    last = now;
    if (late >= thresholdMs) log('warn', 'the event loop was held', { ms: Math.round(late) });
  }, tickMs);
  timer.unref();
  return () => clearInterval(timer);
}
