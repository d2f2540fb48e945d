/** Resolves after `ms`. With `unref`, the timer alone does not keep the process alive. */
export function delay(ms: number, options: { unref?: boolean } = {}): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (options.unref) timer.unref();
  });
}

export interface PollOptions {
  /** Time between two checks. */
  intervalMs: number;
  /** Give up after this long (resolving false); without it, poll until `check` holds. */
  timeoutMs?: number | undefined;
}

/**
 * orcha's one polling loop, for state that announces no event (a process group's end, a port that starts
 * listening, a tmux pane's status): checks at once, then every `intervalMs`, until `check` holds (true) or
 * `timeoutMs` passed (false). A check that throws ends the poll with that error.
 */
export async function poll(check: () => boolean | Promise<boolean>, options: PollOptions): Promise<boolean> {
  const deadline =
    options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await delay(Math.min(options.intervalMs, Math.max(0, deadline - Date.now())));
  }
}
