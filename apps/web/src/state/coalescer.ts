/**
 * Runs `work(key)` for keys marked dirty, at most once per `intervalMs` per key and never twice at once for
 * the same key; a key marked again while its work runs is run once more afterwards.
 */
export function createCoalescer(work: (keys: string[]) => Promise<void>, intervalMs: number) {
  const dirty = new Set<string>();
  const lastRun = new Map<string, number>();
  const running = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;

  const schedule = (delay: number) => {
    if (timer !== null || stopped) return;
    timer = setTimeout(flush, delay);
  };

  function flush() {
    timer = null;
    const now = performance.now();
    const ready: string[] = [];
    let wait = Number.POSITIVE_INFINITY;
    for (const key of dirty) {
      if (running.has(key)) continue;
      const due = (lastRun.get(key) ?? Number.NEGATIVE_INFINITY) + intervalMs;
      if (due <= now) ready.push(key);
      else wait = Math.min(wait, due - now);
    }
    for (const key of ready) {
      dirty.delete(key);
      running.add(key);
      lastRun.set(key, now);
    }
    if (ready.length) {
      work(ready)
        .catch(() => {
          // A failed refresh is retried when the key is next marked (the feed keeps marking live rows).
        })
        .finally(() => {
          for (const key of ready) running.delete(key);
          if (dirty.size) schedule(0);
        });
    }
    if (Number.isFinite(wait)) schedule(wait);
  }

  return {
    mark(key: string) {
      dirty.add(key);
      schedule(0);
    },
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
    },
  };
}
