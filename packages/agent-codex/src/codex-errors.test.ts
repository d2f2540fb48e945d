import { describe, expect, it } from 'vitest';
import { classifyCodexError, parseResetTime } from './codex-errors.js';

const noon = Date.UTC(2026, 10, 25, 12, 0);

describe('classifyCodexError', () => {
  it('sorts the messages Codex prints into error kinds', () => {
    expect(classifyCodexError('You’ve hit your usage limit. Try again later.', noon)).toEqual({
      kind: 'usage_exhausted',
      resetsAt: null,
    });
    expect(classifyCodexError('Reconnecting... 1/1 (last status: 429 Too Many Requests)', noon).kind).toBe(
      'rate_limited',
    );
    expect(classifyCodexError('unexpected status 403 Forbidden: nope', noon).kind).toBe('auth');
    expect(
      classifyCodexError('Missing environment variable: `OPENAI_API_KEY`. Create an API key…', noon).kind,
    ).toBe('auth');
    expect(classifyCodexError('stream disconnected before completion', noon).kind).toBe('other');
  });
});

describe('parseResetTime', () => {
  it('reads a time later today as the end of that minute (UTC)', () => {
    expect(parseResetTime('… or try again at 2:05 PM.', noon)).toBe(Date.UTC(2026, 10, 25, 14, 6));
    expect(parseResetTime('… Try again at 12:30 AM.', Date.UTC(2026, 10, 25, 0, 10))).toBe(
      Date.UTC(2026, 10, 25, 0, 31),
    );
    expect(parseResetTime('… Try again at 12:00 PM.', Date.UTC(2026, 10, 25, 11, 0))).toBe(
      Date.UTC(2026, 10, 25, 12, 1),
    );
  });

  it('reads a full date with its ordinal suffix', () => {
    expect(parseResetTime('… try again at Dec 1st, 2026 9:15 AM.', noon)).toBe(Date.UTC(2026, 11, 1, 9, 16));
    expect(parseResetTime('… try again at Nov 23rd, 2027 11:59 PM.', noon)).toBe(
      Date.UTC(2027, 10, 24, 0, 0),
    );
  });

  it('gives a time printed before midnight but read after it to the day before', () => {
    const justAfterMidnight = Date.UTC(2026, 10, 26, 0, 0, 2);
    expect(parseResetTime('… try again at 11:59 PM.', justAfterMidnight)).toBe(Date.UTC(2026, 10, 26, 0, 0));
  });

  it('gives null when no time is named or it makes no sense', () => {
    expect(parseResetTime('… or try again later.', noon)).toBeNull();
    expect(parseResetTime('… try again at 13:61 PM.', noon)).toBeNull();
    expect(parseResetTime('… try again at Foo 3rd, 2026 1:00 AM.', noon)).toBeNull();
  });
});
