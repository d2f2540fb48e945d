import { isOrchaError, type OrchaEvent } from '@orcha/model';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionRow, Store } from '../src/index.js';
import { openTestStore } from './helpers.js';

let store: Store;
let cleanup: () => void;
let clock: { now: number };

beforeEach(() => {
  ({ store, cleanup, clock } = openTestStore());
});
afterEach(() => cleanup());

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isOrchaError(error) ? error.code : 'not an OrchaError';
  }
  return undefined;
}

const message = (text: string, kind: 'assistant' | 'tool_result' = 'assistant') => ({
  at: clock.now,
  kind,
  text,
  data: null,
});

describe('batched transcript appends', () => {
  it('keeps messageCount, lastActivity and seq right across batches, one event per batch', () => {
    const { manager } = store.createObjective({ title: 'ingest', prompt: 'p', agent: 'fake' });
    const events: OrchaEvent[] = [];
    store.subscribe((batch) => events.push(...batch));

    clock.now += 10;
    expect(
      store.appendMessages(manager.id, [message('hello'), message('  first line\nsecond line \n\n')]),
    ).toEqual({ fromSeq: 1, toSeq: 2 });
    expect(store.getSession(manager.id)).toMatchObject({
      messageCount: 2,
      lastActivity: 'second line',
      updatedAt: clock.now,
    });

    // Tool output and blank messages leave the activity line as it was.
    clock.now += 10;
    expect(
      store.appendMessages(manager.id, [message('   \n'), message('tool output', 'tool_result')]),
    ).toEqual({
      fromSeq: 3,
      toSeq: 4,
    });
    expect(store.getSession(manager.id)).toMatchObject({
      messageCount: 4,
      lastActivity: 'second line',
      updatedAt: clock.now,
    });

    // A big batch, ending with a long line that is cut to 200 characters.
    const big = Array.from({ length: 1_200 }, (_, index) => message(`line ${index}`));
    big.push(message(`intro\n${'x'.repeat(300)}`));
    expect(store.appendMessages(manager.id, big)).toEqual({ fromSeq: 5, toSeq: 1_205 });
    const session = store.getSession(manager.id);
    expect(session.messageCount).toBe(1_205);
    expect(session.lastActivity).toBe('x'.repeat(200));

    const seqs = [
      ...store.listMessages(manager.id, { limit: 1_000 }),
      ...store.listMessages(manager.id, { after: 1_000, limit: 1_000 }),
    ].map((row) => row.seq);
    expect(seqs).toEqual(Array.from({ length: 1_205 }, (_, index) => index + 1));
    expect(store.listMessages(manager.id, { after: 4, limit: 1 })[0]).toMatchObject({
      seq: 5,
      text: 'line 0',
    });

    const appends = events.filter((event) => event.type === 'message-append');
    expect(appends.map((event) => [event.fromSeq, event.toSeq])).toEqual([
      [1, 2],
      [3, 4],
      [5, 1_205],
    ]);
    expect(store.listEvents().filter((event) => event.type === 'message-append')).toEqual(appends);

    const row = store.dashboardSummary().sessions.find((candidate) => candidate.id === manager.id);
    expect(row).toMatchObject({ messageCount: 1_205, lastActivity: 'x'.repeat(200) });
  });

  it('numbers each session on its own', () => {
    const { objective, manager } = store.createObjective({ title: 'two', prompt: 'p', agent: 'fake' });
    const worker = store.createSession({
      objectiveId: objective.id,
      role: 'worker',
      agent: 'fake',
      title: 'w',
      prompt: 'p',
    });
    store.appendMessages(manager.id, [message('a'), message('b')]);
    store.appendMessages(worker.id, [message('c')]);
    store.appendMessages(manager.id, [message('d')]);
    expect(store.getSession(manager.id)).toMatchObject({ messageCount: 3, lastActivity: 'd' });
    expect(store.getSession(worker.id)).toMatchObject({ messageCount: 1, lastActivity: 'c' });
    expect(store.listMessages(worker.id).map((row) => [row.seq, row.text])).toEqual([[1, 'c']]);
  });

  it('writes nothing, event included, when a batch is refused or fails part-way', () => {
    const { manager } = store.createObjective({ title: 'atomic', prompt: 'p', agent: 'fake' });
    store.appendMessages(manager.id, [message('kept')]);
    const before = store.latestEventId();

    expect(codeOf(() => store.appendMessages('ses_00000000000000000000000000', [message('x')]))).toBe(
      'not_found',
    );
    expect(codeOf(() => store.appendMessages(manager.id, []))).toBe('invalid_argument');
    expect(
      codeOf(() =>
        store.appendMessages(manager.id, [{ at: 1, kind: 'shout' as 'assistant', text: 'x', data: null }]),
      ),
    ).toBe('invalid_argument');
    expect(codeOf(() => store.appendMessages(manager.id, [{ ...message('x'), data: 'text' as never }]))).toBe(
      'invalid_argument',
    );
    // The second message's data cannot be encoded: the first one, already inserted, must be rolled back too.
    expect(() =>
      store.appendMessages(manager.id, [message('first'), { ...message('second'), data: { size: 1n } }]),
    ).toThrow();

    expect(store.latestEventId()).toBe(before);
    expect(store.getSession(manager.id)).toMatchObject({ messageCount: 1, lastActivity: 'kept' });
    expect(store.listMessages(manager.id).map((row) => row.text)).toEqual(['kept']);
    expect(store.appendMessages(manager.id, [message('next')])).toEqual({ fromSeq: 2, toSeq: 2 });
  });
});

const sessionRowKeys: (keyof SessionRow)[] = [
  'id',
  'objectiveId',
  'parentId',
  'role',
  'agent',
  'title',
  'status',
  'statusReason',
  'targetId',
  'pullRequestId',
  'interactivity',
  'attachCommand',
  'usage',
  'lastActivity',
  'messageCount',
  'createdAt',
  'updatedAt',
  'startedAt',
  'endedAt',
  'budget',
  'budgetLevel',
];

describe('dashboard summary', () => {
  it('gives each session the small row the web reads, equal to the stored session, oldest first', () => {
    const { objective, manager } = store.createObjective({ title: 'rows', prompt: 'p', agent: 'fake' });
    clock.now += 5;
    const worker = store.createSession({
      objectiveId: objective.id,
      parentId: manager.id,
      role: 'worker',
      agent: 'fake',
      title: 'Worker "quoted" \\ ünïcode ✓',
      prompt: 'SECRET-PROMPT',
      interactivity: 'noninteractive',
    });
    clock.now += 5;
    store.updateSessionStatus(worker.id, 'starting');
    store.updateSessionStatus(worker.id, 'running');
    store.updateSession(worker.id, {
      usage: { inputTokens: 12, outputTokens: 34, costUsd: 0.25, modelCalls: 3 },
      attachCommand: 'tmux -L orcha attach -t w',
      statusReason: 'line\nbreak',
      result: 'SECRET-RESULT',
    });
    store.appendMessages(worker.id, [message('working\non it')]);
    clock.now += 5;
    store.updateSessionStatus(manager.id, 'canceled', { reason: 'by the person' });

    const summary = store.dashboardSummary();
    expect(summary.sessions.map((row) => row.id)).toEqual([manager.id, worker.id]);
    for (const row of summary.sessions) {
      expect(Object.keys(row).sort()).toEqual([...sessionRowKeys].sort());
      const session = store.getSession(row.id);
      expect(row).toEqual(Object.fromEntries(sessionRowKeys.map((key) => [key, session[key]])));
    }
    expect(summary.sessions[1]).toMatchObject({
      title: 'Worker "quoted" \\ ünïcode ✓',
      status: 'running',
      usage: { inputTokens: 12, outputTokens: 34, costUsd: 0.25, modelCalls: 3 },
      lastActivity: 'on it',
      messageCount: 1,
      statusReason: 'line\nbreak',
    });
    expect(summary.counts).toMatchObject({ running: 1, canceled: 1, queued: 0, openQuestions: 0 });
    expect(JSON.stringify(summary)).not.toMatch(/SECRET-(PROMPT|RESULT)/);
  });

  it('answers with empty lists on an empty database', () => {
    const summary = store.dashboardSummary();
    expect(summary.sessions).toEqual([]);
    expect(summary.objectives).toEqual([]);
    expect(summary.counts).toMatchObject({ queued: 0, running: 0, targetsOnline: 0 });
  });
});
