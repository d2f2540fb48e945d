import { z } from 'zod';

/** Every entity's id prefix. Ids read `ses_01JD…`: prefix, 10 time characters, 16 random ones. */
export const idPrefixes = {
  objective: 'obj',
  session: 'ses',
  target: 'tgt',
  workspace: 'wsp',
  pullRequest: 'pr',
  feedback: 'fb',
  question: 'qst',
  note: 'note',
  artifact: 'art',
  lock: 'lck',
  replica: 'rep',
} as const;

export type IdKind = keyof typeof idPrefixes;

// Crockford base32: sortable as text, no ambiguous letters.
const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A source of randomness, injected so ids are deterministic in tests. Returns integers in [0, 32). */
export type RandomDigit = () => number;

export type IdGenerator = (kind: IdKind) => string;

/**
 * Creates time-sortable ids. Within one millisecond the random part increases monotonically, so ids made
 * by one generator always sort in creation order.
 */
export function createIdGenerator(now: () => number, random: RandomDigit): IdGenerator {
  let lastTime = -1;
  let lastRandom: number[] = [];
  return (kind) => {
    const time = now();
    if (time === lastTime) {
      lastRandom = increment(lastRandom);
    } else {
      lastTime = time;
      lastRandom = Array.from({ length: 16 }, () => Math.floor(random()) & 31);
    }
    return `${idPrefixes[kind]}_${encodeTime(time)}${lastRandom.map((digit) => alphabet[digit]).join('')}`;
  };
}

function encodeTime(time: number): string {
  let rest = Math.max(0, Math.floor(time));
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = alphabet[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function increment(digits: number[]): number[] {
  const next = [...digits];
  for (let i = next.length - 1; i >= 0; i--) {
    if ((next[i] ?? 0) < 31) {
      next[i] = (next[i] ?? 0) + 1;
      return next;
    }
    next[i] = 0;
  }
  return next;
}

/** The schema of an id of one kind: `idSchema('session')` accepts `ses_…` only. */
export function idSchema(kind: IdKind) {
  return z
    .string()
    .regex(new RegExp(`^${idPrefixes[kind]}_[0-9A-Z]{26}$`), `expected a ${kind} id (${idPrefixes[kind]}_…)`);
}
