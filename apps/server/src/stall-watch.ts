import type { Logger } from '@orcha/core';

/**
 * Logs each time orcha's one thread was held past `thresholdMs` (a long synchronous call: a store query
 * waiting on a lock, a large parse). While it is held nothing is answered: requests wait, and idle
 * keep-alive connections whose time ran out meanwhile are closed before the requests waiting on them are
 * read. A tick every `tickMs` measures how late it ran.
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
