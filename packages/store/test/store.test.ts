import { isOrchaError, type OrchaEvent, type Session } from '@orcha/model';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../src/index.js';
import { openTestStore } from './helpers.js';

let store: Store;
let cleanup: () => void;
let clock: { now: number };

beforeEach(() => {
  ({ store, cleanup, clock } = openTestStore());
});
afterEach(() => cleanup());

function expectCode(fn: () => unknown, code: string) {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(isOrchaError(thrown) ? thrown.code : thrown).toBe(code);
}

const objective = () => store.createObjective({ title: 'Port to Rust', prompt: 'do it', agent: 'fake' });

/** A worker of the objective that depends on its manager. */
const workerAfterManager = (of: ReturnType<typeof objective>) =>
  store.createSession({
    objectiveId: of.objective.id,
    parentId: of.manager.id,
    role: 'worker',
    agent: 'fake',
    title: 't',
    prompt: 'p',
    dependsOn: [of.manager.id],
  });

describe('objectives and sessions', () => {
  it('creates an objective with its manager in one transaction, each change with its event', () => {
    const seen: OrchaEvent[][] = [];
    store.subscribe((events) => seen.push(events));
    const { objective: created, manager } = objective();
    expect(manager).toMatchObject({
      objectiveId: created.id,
      role: 'manager',
      status: 'queued',
      agent: 'fake',
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.map((event) => event.type)).toEqual(['objective-create', 'session-create']);
    expect(store.listEvents().map((event) => event.id)).toEqual(seen[0]!.map((event) => event.id));
  });

  it('refuses bad input with invalid_argument and writes nothing', () => {
    const before = store.latestEventId();
    expectCode(() => store.createObjective({ title: '', prompt: 'x', agent: 'fake' }), 'invalid_argument');
    expectCode(
      () => store.createObjective({ title: 'x', prompt: 'x', agent: 'Not An Agent!' }),
      'invalid_argument',
    );
    expectCode(
      () => store.createObjective({ title: 'x', prompt: 'x', agent: 'fake', repo: 'x; rm -rf /' }),
      'invalid_argument',
    );
    const { objective: created } = objective();
    const after = store.latestEventId();
    expectCode(
      () =>
        store.createSession({
          objectiveId: created.id,
          role: 'worker',
          agent: 'fake',
          title: 't',
          prompt: 'p',
          dependsOn: ['ses_00000000000000000000000000'],
        }),
      'invalid_argument',
    );
    expectCode(() => store.updateSession(created.id, { result: 'x' }), 'not_found');
    expect(store.latestEventId()).toBe(after);
    expect(after).toBeGreaterThan(before);
    expect(store.listSessions()).toHaveLength(1);
  });

  it('rejects a late completion after cancel inside the transaction and writes nothing', () => {
    const { manager } = objective();
    store.updateSessionStatus(manager.id, 'starting');
    store.updateSessionStatus(manager.id, 'running');
    store.updateSessionStatus(manager.id, 'canceled', { reason: 'by the person' });
    const before = store.latestEventId();
    expectCode(() => store.updateSessionStatus(manager.id, 'completed'), 'invalid_transition');
    expect(store.getSession(manager.id)).toMatchObject({ status: 'canceled', statusReason: 'by the person' });
    expect(store.latestEventId()).toBe(before);
  });

  it('sets start and end times and releases slot and locks when a session ends', () => {
    const { manager } = objective();
    const target = store.createTarget({
      name: 'box',
      kind: 'local',
      workRoot: '/tmp/w',
      capacitySessions: 1,
      status: 'online',
    });
    expect(store.claimTargetSlot(target.id, manager.id)).toEqual({ ok: true });
    expect(store.acquireLock('pr-branch:x', manager.id)).toEqual({ ok: true });
    clock.now += 1_000;
    store.updateSessionStatus(manager.id, 'starting');
    expect(store.getSession(manager.id).startedAt).toBe(clock.now);
    store.updateSessionStatus(manager.id, 'running');
    clock.now += 1_000;
    store.updateSessionStatus(manager.id, 'completed');
    expect(store.getSession(manager.id).endedAt).toBe(clock.now);
    expect(store.targetLoad()).toEqual({});
    expect(store.lockHolder('pr-branch:x')).toBeNull();
  });

  it('rolls back everything, events included, when a transaction throws', () => {
    const seen: OrchaEvent[][] = [];
    store.subscribe((events) => seen.push(events));
    const { manager } = objective();
    const count = store.listEvents().length;
    expectCode(
      () => store.appendMessages(manager.id, [{ at: 1, kind: 'bogus' as 'user', text: 'x', data: null }]),
      'invalid_argument',
    );
    expect(store.listEvents()).toHaveLength(count);
    expect(seen).toHaveLength(1);
  });

  it('checks that dependencies exist in the same objective', () => {
    const first = objective();
    const second = objective();
    expectCode(
      () =>
        store.createSession({
          objectiveId: second.objective.id,
          role: 'worker',
          agent: 'fake',
          title: 't',
          prompt: 'p',
          dependsOn: [first.manager.id],
        }),
      'invalid_argument',
    );
    const worker = workerAfterManager(first);
    expect(worker.dependsOn).toEqual([first.manager.id]);
    expect(store.listSessions({ ids: [worker.id] })).toHaveLength(1);
    expect(store.listSessions({ ids: [] })).toEqual([]);
    expect(store.listSessions({ objectiveId: first.objective.id, role: 'worker' }).map((s) => s.id)).toEqual([
      worker.id,
    ]);
  });

  it('lists the waiting queue light, each row as the whole session has it', () => {
    const first = objective();
    const worker = workerAfterManager(first);
    const running = objective().manager;
    store.updateSessionStatus(running.id, 'starting');
    const pick = ({ id, role, status, statusReason, createdAt, startedAt, dependsOn }: Session) => ({
      ...{ id, role, status, statusReason, createdAt, startedAt, dependsOn },
    });
    expect(store.listWaiting()).toEqual(
      [first.manager.id, worker.id].map((id) => pick(store.getSession(id))),
    );
  });

  it('keeps only a hash of the session token', () => {
    const { manager } = objective();
    expectCode(() => store.setSessionTokenHash(manager.id, 'plain-token'), 'invalid_argument');
    store.setSessionTokenHash(manager.id, 'a'.repeat(64));
    expect(store.getSessionTokenHash(manager.id)).toBe('a'.repeat(64));
    expect(JSON.stringify(store.getSession(manager.id))).not.toContain('a'.repeat(64));
  });
});

describe('targets, slots and locks', () => {
  it('claims slots atomically and refuses draining, disabled, offline and full targets', () => {
    const { objective: created, manager } = objective();
    const worker = () =>
      store.createSession({
        objectiveId: created.id,
        role: 'worker',
        agent: 'fake',
        title: 'w',
        prompt: 'p',
      });
    const box = store.createTarget({
      name: 'box',
      kind: 'local',
      workRoot: '/tmp/w',
      capacitySessions: 2,
      status: 'online',
    });
    expect(store.claimTargetSlot(box.id, manager.id)).toEqual({ ok: true });
    expect(store.claimTargetSlot(box.id, manager.id)).toEqual({ ok: true });
    expect(store.claimTargetSlot(box.id, worker().id)).toEqual({ ok: true });
    expect(store.claimTargetSlot(box.id, worker().id)).toEqual({ ok: false, reason: 'capacity_full' });
    store.updateTargetStatus(box.id, 'draining');
    store.releaseTargetSlot(manager.id);
    expect(store.claimTargetSlot(box.id, worker().id)).toEqual({ ok: false, reason: 'target_unavailable' });
    expect(store.targetLoad()).toEqual({ [box.id]: 1 });
    expectCode(
      () => store.createTarget({ name: 'box', kind: 'local', workRoot: '/x', capacitySessions: 1 }),
      'conflict',
    );
    expect(store.findTarget('box')?.id).toBe(box.id);
  });

  it('gives a lock to one owner at a time and tells who holds it', () => {
    const { objective: created, manager } = objective();
    const other = store.createSession({
      objectiveId: created.id,
      role: 'worker',
      agent: 'fake',
      title: 'w',
      prompt: 'p',
    });
    expect(store.acquireLock('workspace:1', manager.id)).toEqual({ ok: true });
    expect(store.acquireLock('workspace:1', other.id)).toEqual({ ok: false, holder: manager.id });
    expect(store.releaseLock('workspace:1', other.id)).toBe(false);
    expect(store.releaseLock('workspace:1', manager.id)).toBe(true);
    expect(store.acquireLock('workspace:1', other.id)).toEqual({ ok: true });
  });

  it('stores doctor reports through their schema', () => {
    const box = store.createTarget({
      name: 'remote',
      kind: 'ssh',
      host: 'h',
      user: 'u',
      workRoot: '/w',
      capacitySessions: 4,
    });
    const report = {
      at: 1,
      ok: false,
      checks: [{ name: 'tmux', ok: false, required: true, detail: 'missing', fix: 'apt-get install tmux' }],
    };
    expect(store.setTargetDoctor(box.id, report).doctor).toEqual(report);
    expectCode(() => store.setTargetDoctor(box.id, { at: 1, ok: true } as never), 'invalid_argument');
  });
});

describe('transcripts', () => {
  it('numbers messages per session, pages by seq and announces only counts', () => {
    const { manager } = objective();
    const events: OrchaEvent[] = [];
    store.subscribe((batch) => events.push(...batch));
    const first = store.appendMessages(manager.id, [
      { at: 1, kind: 'assistant', text: 'hello', data: null },
      { at: 2, kind: 'tool_call', text: 'spawn_session {}', data: { name: 'spawn_session' } },
    ]);
    const second = store.appendMessages(manager.id, [
      { at: 3, kind: 'assistant', text: 'line one\nlast line', data: null },
    ]);
    expect([first, second]).toEqual([
      { fromSeq: 1, toSeq: 2 },
      { fromSeq: 3, toSeq: 3 },
    ]);
    expect(store.listMessages(manager.id, { after: 1, limit: 1 })).toEqual([
      {
        sessionId: manager.id,
        seq: 2,
        at: 2,
        kind: 'tool_call',
        text: 'spawn_session {}',
        data: { name: 'spawn_session' },
      },
    ]);
    expect(store.getSession(manager.id)).toMatchObject({ messageCount: 3, lastActivity: 'last line' });
    expect(events.filter((event) => event.type === 'message-append')).toHaveLength(2);
    expect(JSON.stringify(events)).not.toContain('hello');
  });
});

describe('pull requests, feedback and questions', () => {
  it('records feedback once per external id and keeps merged pull requests merged', () => {
    const { objective: created } = objective();
    const pr = store.createPullRequest({
      objectiveId: created.id,
      repo: 'acme/app',
      number: 7,
      url: 'u',
      title: 't',
      branch: 'orcha/x',
      baseBranch: 'main',
      headSha: 'abc',
    });
    const item = { externalId: 'review:1', kind: 'review' as const, author: 'r', body: 'fix', createdAt: 5 };
    expect(store.addFeedback(pr.id, item).inserted).toBe(true);
    expect(store.addFeedback(pr.id, item).inserted).toBe(false);
    expect(store.listFeedback(pr.id)).toHaveLength(1);
    store.updatePullRequest(pr.id, { state: 'merged' });
    expectCode(() => store.updatePullRequest(pr.id, { state: 'open' }), 'invalid_transition');
    expect(store.listPullRequests({ state: 'merged' })).toHaveLength(1);
  });

  it('answers a question once', () => {
    const { objective: created, manager } = objective();
    const question = store.openQuestion({
      objectiveId: created.id,
      sessionId: manager.id,
      kind: 'ask_user',
      prompt: 'Which DB?',
      options: ['sqlite', 'postgres'],
    });
    expect(store.listQuestions({ status: 'open' })).toHaveLength(1);
    expect(store.answerQuestion(question.id, 'sqlite')).toMatchObject({
      status: 'answered',
      answer: 'sqlite',
    });
    expectCode(() => store.answerQuestion(question.id, 'postgres'), 'invalid_transition');
    expect(store.listQuestions({ sessionId: manager.id })[0]?.options).toEqual(['sqlite', 'postgres']);
  });
});

describe('dashboard', () => {
  it('returns counts and small rows without transcript content', () => {
    const { objective: created, manager } = objective();
    store.appendMessages(manager.id, [
      { at: 1, kind: 'assistant', text: 'SECRET-TRANSCRIPT-CONTENT\nsummary line', data: null },
    ]);
    store.openQuestion({ objectiveId: created.id, kind: 'ask_user', prompt: 'q?' });
    store.setProviderExhausted('claude', 123);
    const summary = store.dashboardSummary();
    expect(summary.counts).toMatchObject({ queued: 1, openQuestions: 1, openPullRequests: 0 });
    expect(summary.objectives.map((o) => o.id)).toEqual([created.id]);
    expect(summary.sessions[0]).toMatchObject({
      id: manager.id,
      messageCount: 1,
      lastActivity: 'summary line',
    });
    expect(JSON.stringify(summary)).not.toContain('SECRET-TRANSCRIPT-CONTENT');
    expect(store.listProviderUsage()).toEqual([
      { provider: 'claude', exhaustedUntil: 123, updatedAt: clock.now },
    ]);
  });
});

describe('batch', () => {
  it('writes all or nothing, and announces the events once it committed', () => {
    const heard: OrchaEvent[][] = [];
    store.subscribe((events) => heard.push(events));
    const { manager } = store.createObjective({ title: 'batch', prompt: '', agent: 'fake' });
    heard.length = 0;
    store.batch(() => {
      store.queueInput(manager.id, 'one');
      store.updateSessionStatus(manager.id, 'canceled', { reason: 'batch' });
      expect(heard).toEqual([]); // nothing announced before the commit
    });
    expect(heard).toHaveLength(1);
    expect(store.getSession(manager.id).status).toBe('canceled');

    const other = store.createObjective({ title: 'rolled back', prompt: '', agent: 'fake' }).manager;
    heard.length = 0;
    expect(() =>
      store.batch(() => {
        store.updateSessionStatus(other.id, 'waiting_capacity', { reason: 'first' });
        throw new Error('second fails');
      }),
    ).toThrow('second fails');
    expect(store.getSession(other.id).status).toBe('queued');
    expect(heard).toEqual([]);
  });
});
