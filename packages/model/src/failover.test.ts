import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FallbackChains, fallbackOrder, nextAgent } from './failover.js';
import { assertProperty } from './testing/property.js';

describe('fallbackOrder', () => {
  const chains: FallbackChains = { 'claude-work': ['claude-personal', 'codex'], codex: ['gemini'] };

  it('follows the agent’s own chain, then what follows it in chains that name it', () => {
    expect(fallbackOrder(chains, 'claude-work')).toEqual(['claude-personal', 'codex', 'gemini']);
    // A session already moved on goes further down the chain that moved it, never back.
    expect(fallbackOrder(chains, 'claude-personal')).toEqual(['codex', 'gemini']);
    expect(fallbackOrder(chains, 'codex')).toEqual(['gemini']);
    expect(fallbackOrder(chains, 'gemini')).toEqual([]);
    expect(fallbackOrder({}, 'claude')).toEqual([]);
  });

  it('ends on cycles and names each agent once, never the one it starts from', () => {
    const cyclic: FallbackChains = { a: ['b', 'c'], b: ['a', 'c'], c: ['a'] };
    expect(fallbackOrder(cyclic, 'a')).toEqual(['b', 'c']);
    expect(fallbackOrder(cyclic, 'c')).toEqual(['a', 'b']);
  });

  it('holds for any chains: no repeats, never the start, every direct fallback first in order', () => {
    const name = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
    assertProperty(
      'fallback order',
      fc.property(fc.dictionary(name, fc.array(name, { maxLength: 5 })), name, (raw, from) => {
        const order = fallbackOrder(raw, from);
        expect(new Set(order).size).toBe(order.length);
        expect(order).not.toContain(from);
        const own = [...new Set((raw[from] ?? []).filter((agent) => agent !== from))];
        expect(order.slice(0, own.length)).toEqual(own);
      }),
    );
  });
});

describe('nextAgent', () => {
  const chains: FallbackChains = { claude: ['claude-personal', 'codex'] };

  it('skips agents that cannot run, and answers null when none can', () => {
    expect(nextAgent(chains, 'claude', () => true)).toBe('claude-personal');
    expect(nextAgent(chains, 'claude', (agent) => agent !== 'claude-personal')).toBe('codex');
    expect(nextAgent(chains, 'claude', () => false)).toBeNull();
    expect(nextAgent(chains, 'codex', () => true)).toBeNull();
  });
});
