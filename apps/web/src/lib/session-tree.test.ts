import type { SessionRow } from '@orcha/client';
import { describe, expect, it } from 'vitest';
import { matchesFilter, sessionTree } from './session-tree';

const row = (id: string, parentId: string | null, title = id): SessionRow =>
  ({
    id,
    parentId,
    title,
    agent: 'fake',
    status: 'running',
    role: parentId ? 'worker' : 'manager',
    lastActivity: null,
  }) as SessionRow;

describe('sessionTree', () => {
  it('puts workers under their manager and follow-ups under the worker that spawned them', () => {
    const sessions = Object.fromEntries(
      [row('m', null), row('w1', 'm'), row('w2', 'm'), row('f1', 'w1'), row('orphan', 'gone')].map((s) => [
        s.id,
        s,
      ]),
    );
    const tree = sessionTree(['m', 'w1', 'w2', 'f1', 'orphan'], sessions);
    expect(tree).toEqual([
      { id: 'm', depth: 0 },
      { id: 'w1', depth: 1 },
      { id: 'f1', depth: 2 },
      { id: 'w2', depth: 1 },
      { id: 'orphan', depth: 0 },
    ]);
  });

  it('matches the filter against the session and its objective, ignoring case', () => {
    const session = row('ses_1', null, 'Implement the parser');
    expect(matchesFilter(session, 'Port to Rust', 'PARSER')).toBe(true);
    expect(matchesFilter(session, 'Port to Rust', 'rust')).toBe(true);
    expect(matchesFilter(session, 'Port to Rust', 'python')).toBe(false);
    expect(matchesFilter(session, 'Port to Rust', '')).toBe(true);
  });
});
