import type { OrchaEvent } from '@orcha/model';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestStore } from './helpers.js';

let cleanup = () => {};
afterEach(() => cleanup());

describe('switching a session to another agent', () => {
  it('changes the agent, clears the conversation, and records the switch in the transcript and the feed', () => {
    const opened = openTestStore();
    cleanup = opened.cleanup;
    const { store } = opened;
    const { manager } = store.createObjective({ title: 'switch', prompt: 'p', agent: 'claude' });
    store.updateSession(manager.id, {
      providerSessionId: 'conv-1',
      attachCommand: 'tmux attach',
      attachName: 'orcha-x',
    });
    const heard: OrchaEvent[] = [];
    store.subscribe((events) => heard.push(...events));

    const switched = store.switchSessionAgent(manager.id, { to: 'codex', reason: 'claude is out of usage' });
    expect(switched).toMatchObject({
      agent: 'codex',
      providerSessionId: null,
      attachCommand: null,
      attachName: null,
    });
    expect(store.getSession(manager.id)).toMatchObject({
      agent: 'codex',
      providerSessionId: null,
      attachName: null,
    });
    const [message] = store.listMessages(manager.id);
    expect(message).toMatchObject({
      kind: 'system',
      text: 'continues on codex (was claude): claude is out of usage',
      data: {
        type: 'agent-switch',
        from: 'claude',
        to: 'codex',
        reason: 'claude is out of usage',
        fromConversationId: 'conv-1',
      },
    });
    // One commit: the transcript and the feed hear of it together.
    expect(heard.map((event) => event.type)).toEqual(['message-append', 'session-agent-switch']);
    expect(heard[1]).toMatchObject({ sessionId: manager.id, from: 'claude', to: 'codex' });
  });

  it('refuses a finished session, its own agent and a bad name, writing nothing', () => {
    const opened = openTestStore();
    cleanup = opened.cleanup;
    const { store } = opened;
    const { manager } = store.createObjective({ title: 'switch', prompt: 'p', agent: 'claude' });
    const before = store.latestEventId();
    expect(() => store.switchSessionAgent(manager.id, { to: 'claude', reason: 'r' })).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    );
    expect(() => store.switchSessionAgent(manager.id, { to: '../sh', reason: 'r' })).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    );
    expect(() => store.switchSessionAgent('ses_unknown', { to: 'codex', reason: 'r' })).toThrow(
      expect.objectContaining({ code: 'not_found' }),
    );
    store.updateSessionStatus(manager.id, 'canceled', { reason: 'done' });
    const afterCancel = store.latestEventId();
    expect(afterCancel).toBe(before + 1);
    expect(() => store.switchSessionAgent(manager.id, { to: 'codex', reason: 'r' })).toThrow(
      expect.objectContaining({ code: 'invalid_transition' }),
    );
    expect(store.latestEventId()).toBe(afterCancel);
    expect(store.getSession(manager.id).agent).toBe('claude');
    expect(store.listMessages(manager.id)).toEqual([]);
  });
});
