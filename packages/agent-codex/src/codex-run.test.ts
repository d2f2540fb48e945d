import { fileURLToPath } from 'node:url';
import { eventLog } from '@orcha/agent/testing';
import { createLocalExecutor } from '@orcha/exec';
import { describe, expect, it } from 'vitest';
import { createCodexRun } from './codex-run.js';

const executor = createLocalExecutor();
const fixturePath = (name: string) => fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));
const options = { model: null, idPrefix: 'x-', now: Date.now };

/** A real process that replays a file to stdout in small pieces, then prints `stderr` and exits with `code`. */
async function replayer(file: string, stderr: string, code: number) {
  const script = `
    const data = require('node:fs').readFileSync(process.argv[1]);
    let at = 0;
    const next = () => {
      if (at >= data.length) { process.stderr.write(process.argv[2]); process.exitCode = Number(process.argv[3]); return; }
      process.stdout.write(data.subarray(at, at + 7), () => setImmediate(next));
      at += 7;
    };
    next();`;
  return executor.spawn(process.execPath, ['-e', script, file, stderr, String(code)]);
}

describe('createCodexRun', () => {
  it('reassembles lines split across chunks and ends with exactly one exit', async () => {
    const run = createCodexRun(await replayer(fixturePath('simple-turn.jsonl'), '', 0), options);
    const events = await eventLog(run).end(10_000);
    expect(events.map((event) => event.type)).toEqual([
      'started',
      'text',
      'usage',
      'turn-complete',
      'exited',
    ]);
    expect(events.at(-1)).toEqual({ type: 'exited', code: 0, reason: 'completed' });
    expect(await run.wait()).toEqual(events.at(-1));
  });

  it('explains a failure printed only on stderr, without Codex notices or the backtrace', async () => {
    const stderr =
      'Reading additional input from stdin...\nError: config is broken\n\nStack backtrace:\n   0: <unknown>\n';
    const run = createCodexRun(await replayer(fixturePath('unknown-thread.stderr.txt'), stderr, 1), options);
    const events = await eventLog(run).end(10_000);
    expect(events).toEqual([
      {
        type: 'error',
        kind: 'other',
        message: expect.stringMatching(/Error: config is broken$/),
        resetsAt: null,
      },
      { type: 'exited', code: 1, reason: 'failed' },
    ]);
  });
});
