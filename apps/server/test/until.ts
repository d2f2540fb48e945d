import type { Store } from '@orcha/store';

export interface UntilOptions {
  /** Default 30 s. */
  timeoutMs?: number;
  /** Also look again this often, for state that changes without a store event (a remote process, a file). */
  pollMs?: number;
}

/** Resolves when `predicate` holds, checked now and after every committed store event. */
export function until<T>(
  store: Store,
  predicate: () => T | null | undefined | false,
  options: UntilOptions = {},
): Promise<T> {
  const { timeoutMs = 30_000, pollMs } = options;
  return new Promise<T>((resolve, reject) => {
    let unsubscribe = () => {};
    const poll = pollMs === undefined ? undefined : setInterval(() => check(), pollMs);
    const stop = () => {
      clearTimeout(timer);
      clearInterval(poll);
      unsubscribe();
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`not reached within ${timeoutMs} ms: ${predicate.toString().slice(0, 200)}`));
    }, timeoutMs);
    const check = () => {
      const value = predicate();
      if (!value) return;
      stop();
      resolve(value);
    };
    unsubscribe = store.subscribe(check);
    check();
  });
}

/**
 * Resolves when the async `check` holds, looked at every 100 ms: for state no store event tells about (a
 * remote process, another process's API). The default timeout stays under the 20 s test timeout, so a miss
 * names its condition.
 */
export async function eventually<T>(
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`not reached within ${timeoutMs} ms: ${check.toString().slice(0, 200)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
