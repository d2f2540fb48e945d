import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestStore } from './helpers.js';

const run = promisify(execFile);
const worker = fileURLToPath(new URL('./claim-worker.ts', import.meta.url));
let cleanup = () => {};
afterEach(() => cleanup());

describe('claimTargetSlot under contention', () => {
  it('never grants more than capacity to claimers racing from several processes', async () => {
    const opened = openTestStore();
    cleanup = opened.cleanup;
    const { store } = opened;
    const { objective } = store.createObjective({ title: 'race', prompt: '', agent: 'fake' });
    const target = store.createTarget({
      name: 'box',
      kind: 'local',
      workRoot: '/tmp/x',
      capacitySessions: 7,
      status: 'online',
    });
    const sessions = Array.from(
      { length: 80 },
      (_, i) =>
        store.createSession({
          objectiveId: objective.id,
          role: 'worker',
          agent: 'fake',
          title: `w${i}`,
          prompt: 'p',
        }).id,
    );
    const groups = [0, 1, 2, 3].map((g) => sessions.filter((_, i) => i % 4 === g));
    const results = await Promise.all(
      groups.map((ids) =>
        run(
          process.execPath,
          [
            '--conditions=@orcha/source',
            '--import',
            'tsx',
            worker,
            JSON.stringify(opened.location),
            target.id,
            ...ids,
          ],
          { timeout: 60_000 },
        ),
      ),
    );
    const granted = results.reduce((sum, result) => sum + Number(result.stdout), 0);
    expect(granted).toBe(7);
    expect(store.targetLoad()).toEqual({ [target.id]: 7 });
  }, 120_000);
});
