import { afterEach, describe, expect, it } from 'vitest';
import { openTestStore } from './helpers.js';

let cleanup: () => void = () => {};
afterEach(() => cleanup());

describe('agent memory peaks', () => {
  it('keeps the highest peak measured per agent', () => {
    const opened = openTestStore();
    cleanup = opened.cleanup;
    const { store } = opened;
    store.recordAgentPeak('claude', 300_000_000);
    store.recordAgentPeak('claude', 200_000_000);
    store.recordAgentPeak('codex', 100_000_000);
    expect(store.agentMemoryPeaks()).toEqual({ claude: 300_000_000, codex: 100_000_000 });
    store.recordAgentPeak('claude', 400_000_000);
    expect(store.agentMemoryPeaks().claude).toBe(400_000_000);
  });
});
