import type { Store } from '@orcha/store';

/** Resolves when `predicate` holds, checked now and after every committed store event. */
export function until<T>(
  store: Store,
  predicate: () => T | null | undefined | false,
  timeoutMs = 30_000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let unsubscribe = () => {};
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`not reached within ${timeoutMs} ms: ${predicate.toString().slice(0, 200)}`));
    }, timeoutMs);
    const check = () => {
      const value = predicate();
      if (!value) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    };
    unsubscribe = store.subscribe(check);
    check();
  });
}
