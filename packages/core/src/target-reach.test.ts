import { describe, expect, it } from 'vitest';
import { type AgentEnvironmentEntry, agentEnvironment } from './target-reach.js';

const entry = (agent: string | null, target: string | null, name: string, value: string) => ({
  agent,
  target,
  name,
  value,
});

describe('agent environment', () => {
  const entries: AgentEnvironmentEntry[] = [
    entry('claude', 'gpu-box', 'MODEL', 'claude on gpu-box'),
    entry(null, 'gpu-box', 'MODEL', 'anyone on gpu-box'),
    entry('claude', null, 'MODEL', 'claude anywhere'),
    entry(null, null, 'MODEL', 'anyone anywhere'),
    entry('codex', null, 'OPENAI_API_KEY', 'sk-codex'),
  ];
  const ssh = (name: string, loginPath: string | null) => ({
    name,
    kind: 'ssh' as const,
    doctor: { at: 0, ok: true, checks: [], loginPath },
  });

  it('lets the most specific entry win: agent on target, then target, then agent, then everyone', () => {
    expect(agentEnvironment(entries, 'claude', ssh('gpu-box', null)).MODEL).toBe('claude on gpu-box');
    expect(agentEnvironment(entries, 'codex', ssh('gpu-box', null)).MODEL).toBe('anyone on gpu-box');
    expect(agentEnvironment(entries, 'claude', ssh('other', null)).MODEL).toBe('claude anywhere');
    expect(agentEnvironment(entries, 'codex', ssh('other', null))).toEqual({
      MODEL: 'anyone anywhere',
      OPENAI_API_KEY: 'sk-codex',
    });
  });

  it('gives agents on SSH targets the login PATH the doctor stored, unless the target sets one', () => {
    expect(agentEnvironment([], 'claude', ssh('box', '/home/dev/.local/bin:/usr/bin')).PATH).toBe(
      '/home/dev/.local/bin:/usr/bin',
    );
    const set = [entry(null, 'box', 'PATH', '/opt/bin:/usr/bin')];
    expect(agentEnvironment(set, 'claude', ssh('box', '/home/dev/.local/bin')).PATH).toBe(
      '/opt/bin:/usr/bin',
    );
    // This machine's agents keep orcha's own PATH.
    const local = {
      name: 'local',
      kind: 'local' as const,
      doctor: { at: 0, ok: true, checks: [], loginPath: '/x' },
    };
    expect(agentEnvironment([], 'claude', local)).toEqual({});
  });
});
