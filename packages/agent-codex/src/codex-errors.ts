import type { AgentErrorKind } from '@orcha/agent';

export interface ClassifiedError {
  kind: AgentErrorKind;
  /** When the limit lifts (ms since the epoch): usage limits only, and only when Codex said when. */
  resetsAt: number | null;
}

const usageLimit = /usage limit/i;
const rateLimit = /rate limit|\b429\b|too many requests/i;
const auth =
  /\b401\b|\b403\b|unauthori[sz]ed|forbidden|invalid_api_key|incorrect api key|authenticat|missing environment variable|not logged in|log ?in again/i;

/**
 * Sorts a Codex failure message into orcha's error kinds. Codex gives no structured error in `--json`
 * mode, only its human message, so this is the one place that reads that text.
 *
 * `now` is the time the message was printed; Codex must have been running with `TZ=UTC` (the provider
 * sets it) for the reset time it prints to be read back.
 */
export function classifyCodexError(message: string, now: number): ClassifiedError {
  if (usageLimit.test(message)) return { kind: 'usage_exhausted', resetsAt: parseResetTime(message, now) };
  if (rateLimit.test(message)) return { kind: 'rate_limited', resetsAt: null };
  if (auth.test(message)) return { kind: 'auth', resetsAt: null };
  return { kind: 'other', resetsAt: null };
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const minuteMs = 60_000;
const dayMs = 86_400_000;

/**
 * Reads the reset time out of `… try again at 2:05 PM.` (same day) or `… try again at Nov 26th, 2026
 * 2:05 PM.` (a later day), both in UTC. Codex prints whole minutes, so the answer is the end of that
 * minute: asking again a little late is fine, asking early hits the limit once more.
 */
export function parseResetTime(message: string, now: number): number | null {
  const match =
    /try again at (?:([A-Z][a-z]{2}) (\d{1,2})(?:st|nd|rd|th)?, (\d{4}) )?(\d{1,2}):(\d{2}) ?([AP]M)/i.exec(
      message,
    );
  if (!match) return null;
  const [, month, day, year, hourText, minuteText, meridiem] = match;
  const hour = (Number(hourText) % 12) + (meridiem?.toUpperCase() === 'PM' ? 12 : 0);
  const minute = Number(minuteText);
  if (hour > 23 || minute > 59) return null;
  if (month && day && year) {
    const monthIndex = months.findIndex((name) => name.toLowerCase() === month.toLowerCase());
    if (monthIndex < 0) return null;
    return Date.UTC(Number(year), monthIndex, Number(day), hour, minute) + minuteMs;
  }
  const today = new Date(now);
  let resetsAt =
    Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate(), hour, minute) + minuteMs;
  // Printed just before midnight and read just after: the time named belongs to the day before.
  const sinceMidnight = now % dayMs;
  if (sinceMidnight < minuteMs && resetsAt - now > dayMs - 60 * minuteMs) resetsAt -= dayMs;
  return resetsAt;
}
