import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdGenerator } from '@orcha/model';
import { createStore, type Store } from '../src/index.js';

/** A real store on a real SQLite file in a temp dir, with a controllable clock. */
export function openTestStore(): { store: Store; path: string; clock: { now: number }; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'orcha-store-'));
  const clock = { now: 1_700_000_000_000 };
  let seed = 1;
  const path = join(dir, 'orcha.db');
  const store = createStore({
    path,
    clock: () => clock.now,
    ids: createIdGenerator(
      () => clock.now,
      () => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed % 32;
      },
    ),
  });
  return {
    store,
    path,
    clock,
    cleanup() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
