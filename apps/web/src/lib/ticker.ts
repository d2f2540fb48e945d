import { useSyncExternalStore } from 'react';

/** One shared one-second clock, so elapsed times tick without each row owning a timer. */
const listeners = new Set<() => void>();
let now = Date.now();
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (timer === null) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const notify of listeners) notify();
    }, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };
}

const snapshot = () => now;
const frozen = () => () => {};

/** The current time, refreshed every second while `live` (a finished row passes false and never ticks). */
export function useNow(live = true): number {
  return useSyncExternalStore(live ? subscribe : frozen, snapshot);
}
