import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { delay, type FollowFileOptions } from '@orcha/exec';
import { OrchaError } from '@orcha/model';
import { type LoopbackSshd, startSshd } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSshExecutor, type SshExecutor } from './index.js';
import { processesTagged, waitFor } from './testing/processes.js';

let sshd: LoopbackSshd;
let executor: SshExecutor;
const tag = `orcha-follows-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  // OpenSSH's default: ten channels per connection.
  sshd = await startSshd({ maxSessions: 10 });
  executor = createSshExecutor({ ...sshd.client, keepaliveMs: 1_000 });
});

afterAll(async () => {
  if (sshd) {
    await sshd.up();
    await executor.run('pkill', ['-f', tag]).catch(() => {});
  }
  executor?.close();
  await sshd?.stop();
});

/**
 * Starts a writer on the target, apart from any connection (its own session): `lines` lines with bytes
 * that are not text, `pause` seconds apart, then `burst` random bytes at once, then `<file>.exit`. Resolves
 * with its pid.
 */
async function startWriter(file: string, options: { lines: number; pause: number; burst: number }) {
  const script = [
    `exec > "$1" 2>/dev/null; : ${tag}`,
    'i=0',
    `while [ $i -lt ${options.lines} ]; do i=$((i+1)); printf '%s \\377\\001\\n' "$1-$i"; sleep ${options.pause}; done`,
    `head -c ${options.burst} /dev/urandom`,
    'echo 0 > "$1.exit"',
  ].join('\n');
  const result = await executor.run('sh', [
    '-c',
    'setsid sh -c "$0" orcha-writer "$1" </dev/null >/dev/null 2>&1 & echo $!',
    script,
    file,
  ]);
  return Number(result.stdout.trim());
}

/** Follows `path` to its end as a caller does: on from the last offset after a dropped connection. */
async function followToEnd(path: string, until: FollowFileOptions['until']) {
  const chunks: Buffer[] = [];
  let offset = 0;
  let drops = 0;
  for (;;) {
    try {
      for await (const chunk of executor.followFile(path, { fromOffset: offset, until })) {
        chunks.push(Buffer.from(chunk));
        offset += chunk.length;
      }
      return { bytes: Buffer.concat(chunks), drops };
    } catch (error) {
      if (!(error instanceof OrchaError) || error.code !== 'unavailable') throw error;
      drops++;
      await delay(100); // the machine is away: look again shortly (backoff, not a wait for state)
    }
  }
}

describe('following files on an SSH target', () => {
  it('follows 20 files at once over one channel (more than MaxSessions): every byte once, in order', async () => {
    const files = Array.from({ length: 20 }, (_, i) => join(sshd.dir, `follow-${i}.log`));
    for (const file of files) await startWriter(file, { lines: 40, pause: 0.02, burst: 300_000 });
    const before = executor.channels();
    const followed = await Promise.all(files.map((file) => followToEnd(file, { file: `${file}.exit` })));
    const after = executor.channels();
    for (const [i, file] of files.entries()) {
      expect(followed[i]!.drops).toBe(0);
      expect(followed[i]!.bytes.equals(readFileSync(file))).toBe(true);
      expect(followed[i]!.bytes.length).toBeGreaterThan(300_000);
    }
    // 20 follows took one channel (their shared one), on the one connection.
    expect(after.opened - before.opened).toBeLessThanOrEqual(1);
    expect(after.connections).toBe(1);
  });

  it('reads on from the offset after the connection dropped mid-follow: nothing lost or doubled', async () => {
    const files = Array.from({ length: 5 }, (_, i) => join(sshd.dir, `drop-${i}.log`));
    for (const file of files) await startWriter(file, { lines: 60, pause: 0.03, burst: 1_000 });
    const followed = Promise.all(files.map((file) => followToEnd(file, { file: `${file}.exit` })));
    await waitFor(() => existsSync(files[0]!) && readFileSync(files[0]!).length > 100);
    await sshd.down();
    await delay(400); // the machine is away for a while; the writers write on
    await sshd.up();
    const results = await followed;
    for (const [i, file] of files.entries()) {
      expect(results[i]!.drops).toBeGreaterThan(0);
      expect(results[i]!.bytes.equals(readFileSync(file))).toBe(true);
    }
  });

  it('ends once the writing process is gone, a zombie counting as gone', async () => {
    const file = join(sshd.dir, 'zombie.log');
    // The writer's parent (it becomes a sleep) never reaps it: it stays a zombie after writing.
    const started = await executor.run('sh', [
      '-c',
      `setsid sh -c 'echo $$ > "$0.parent"; ( i=0; while [ $i -lt 20 ]; do i=$((i+1)); echo "z-$i"; sleep 0.01; done > "$0" ) & echo $! > "$0.pid"; exec sleep 1000' "$0" </dev/null >/dev/null 2>&1 &`,
      file,
    ]);
    expect(started.code).toBe(0);
    const pidIn = (path: string) => {
      try {
        const text = readFileSync(path, 'utf8');
        return text.endsWith('\n') ? Number(text) : null;
      } catch {
        return null;
      }
    };
    await waitFor(() => pidIn(`${file}.pid`) !== null && pidIn(`${file}.parent`) !== null);
    const pid = pidIn(`${file}.pid`)!;
    try {
      const { bytes } = await followToEnd(file, { pid });
      expect(bytes.toString()).toBe(Array.from({ length: 20 }, (_, i) => `z-${i + 1}\n`).join(''));
      expect(readFileSync(`/proc/${pid}/stat`, 'utf8')).toMatch(/\) Z /);
    } finally {
      process.kill(pidIn(`${file}.parent`)!, 'SIGKILL');
    }
  });

  it('ends early when the signal aborts or the reader stops', async () => {
    const file = join(sshd.dir, 'endless.log');
    const pid = await startWriter(file, { lines: 100_000, pause: 0.01, burst: 0 });
    const controller = new AbortController();
    let seen = 0;
    for await (const chunk of executor.followFile(file, { until: { pid }, signal: controller.signal })) {
      seen += chunk.length;
      if (seen > 50) controller.abort();
    }
    for await (const chunk of executor.followFile(file, { fromOffset: seen, until: { pid } })) {
      expect(Buffer.from(chunk).toString()).toContain('endless.log-');
      break;
    }
    await executor.run('kill', [String(pid)]);
    await waitFor(() => !processesTagged(tag).includes(String(pid)));
  });

  it('refuses a path it cannot match, or a negative offset', () => {
    expect(() => executor.followFile('/tmp/a\nb', { until: {} })).toThrow(/one line/);
    expect(() => executor.followFile('/tmp/a', { fromOffset: -1, until: {} })).toThrow(/offset/);
  });
});
