import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type LoopbackSshd, startSshd } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSshExecutor, type SshExecutor } from './index.js';

let sshd: LoopbackSshd;
let executor: SshExecutor;
let spool: string;

beforeAll(async () => {
  sshd = await startSshd();
  executor = createSshExecutor({ ...sshd.client, keepaliveMs: 1_000 });
  spool = join(sshd.dir, 'agents', 'ses_1');
});

afterAll(async () => {
  // A test that failed half-way may leave detached groups behind: end them.
  if (sshd) {
    await sshd.up();
    for (const dir of ['agents', 'sweep']) await executor?.sweepDetached(join(sshd.dir, dir)).catch(() => {});
  }
  executor?.close();
  await sshd?.stop();
});

/** Processes whose command line carries `tag`, seen from this machine (the sshd is on loopback). */
function processesTagged(tag: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', tag], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Collects a stream as text, live: `seen()` is what arrived so far. */
function reader(stream: AsyncIterable<Uint8Array>) {
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  })();
  const seen = () => Buffer.concat(chunks).toString('utf8');
  return { seen, done: done.then(seen) };
}

describe('a detached process on an SSH target', () => {
  it('takes input, gives output and its exit status, and leaves no spool behind', async () => {
    const handle = await executor.spawn(
      'sh',
      ['-c', 'while read -r line; do echo "got $line"; echo "err $line" >&2; done; exit 3'],
      { detach: { dir: spool }, env: { SECRET_TOKEN: 'not-on-a-command-line' } },
    );
    const out = reader(handle.stdout);
    const err = reader(handle.stderr);
    await handle.write('one\n');
    await handle.write(Buffer.from('two\n'));
    await waitFor(() => out.seen().includes('got two'));
    await handle.closeStdin();
    expect(await handle.wait()).toEqual({ code: 3, signal: null });
    expect(await out.done).toBe('got one\ngot two\n');
    expect(await err.done).toBe('err one\nerr two\n');
    expect(existsSync(spool)).toBe(false);
  });

  it('passes its environment, and runs in its working directory', async () => {
    const handle = await executor.spawn('sh', ['-c', 'printf "%s %s" "$SECRET_TOKEN" "$(pwd)"'], {
      detach: { dir: spool },
      cwd: sshd.dir,
      env: { SECRET_TOKEN: 'from-the-env' },
    });
    const out = reader(handle.stdout);
    void reader(handle.stderr);
    await handle.closeStdin();
    expect((await handle.wait()).code).toBe(0);
    expect(await out.done).toBe(`from-the-env ${sshd.dir}`);
  });

  it('lives through a dropped connection: every line arrives once, and the exit status too', async () => {
    const tag = `orcha-detached-${randomBytes(4).toString('hex')}`;
    const handle = await executor.spawn(
      'sh',
      ['-c', `i=0; while [ $i -lt 60 ]; do i=$((i+1)); echo "line-$i"; sleep 0.03; done; exit 7; : ${tag}`],
      { detach: { dir: spool } },
    );
    const out = reader(handle.stdout);
    void reader(handle.stderr);
    await handle.closeStdin();
    await waitFor(() => out.seen().includes('line-3'));
    await sshd.down();
    // The machine is unreachable for a while; the program writes on.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(processesTagged(tag)).not.toEqual([]);
    await sshd.up();
    expect(await handle.wait()).toEqual({ code: 7, signal: null });
    expect(await out.done).toBe(Array.from({ length: 60 }, (_, i) => `line-${i + 1}\n`).join(''));
    expect(readdirSync(join(sshd.dir, 'agents'))).toEqual([]);
  });

  it('takes input written while the connection is down once it is back, each write once', async () => {
    const handle = await executor.spawn('sh', ['-c', 'while read -r line; do echo "got $line"; done'], {
      detach: { dir: spool },
    });
    const out = reader(handle.stdout);
    void reader(handle.stderr);
    await handle.write('one\n');
    await waitFor(() => out.seen().includes('got one'));
    await sshd.down();
    const late = handle.write('two\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await sshd.up();
    await late;
    await handle.write('three\n');
    await handle.closeStdin();
    expect(await handle.wait()).toEqual({ code: 0, signal: null });
    expect(await out.done).toBe('got one\ngot two\ngot three\n');
  });

  it('kill ends the whole remote group, grandchildren included', async () => {
    const tag = `orcha-detached-${randomBytes(4).toString('hex')}`;
    const handle = await executor.spawn('sh', ['-c', `sleep 1000 & sleep 1001; : ${tag}`], {
      detach: { dir: spool },
      killGraceMs: 500,
    });
    void reader(handle.stdout);
    void reader(handle.stderr);
    await waitFor(
      () =>
        execFileSync('pgrep', ['-g', String(handle.pid)])
          .toString()
          .split('\n').length > 3,
    );
    expect(await handle.kill()).toEqual({ code: 143, signal: null });
    await waitFor(() => processesTagged(tag).length === 0);
    expect(processesTagged(`sleep 100[01]`).filter((pid) => isInGroup(pid, handle.pid!))).toEqual([]);
    expect(existsSync(spool)).toBe(false);
  });

  it('a group it could not kill while the machine was away is killed once the machine answers', async () => {
    const tag = `orcha-detached-${randomBytes(4).toString('hex')}`;
    const handle = await executor.spawn('sh', ['-c', `sleep 1000; : ${tag}`], {
      detach: { dir: spool, reconnectWaitMs: 1_500 },
    });
    void reader(handle.stdout);
    void reader(handle.stderr);
    await waitFor(() => processesTagged(tag).length > 0);
    await sshd.down();
    try {
      // orcha gives up on the machine after `reconnectWaitMs`: the handle ends, the group lives on.
      expect(await handle.kill()).toEqual({ code: null, signal: null });
      expect(processesTagged(tag)).not.toEqual([]);
    } finally {
      await sshd.up();
    }
    // The next command on the machine kills what was left.
    await executor.run('true', []);
    await waitFor(() => processesTagged(tag).length === 0);
    await waitFor(() => !existsSync(spool) || readdirSync(spool).length === 0);
  });

  it('a sweep ends the groups spooled below a directory (runs that outlived their orcha), and only those', async () => {
    const root = join(sshd.dir, 'sweep');
    const tags = ['a', 'b', 'c'].map((name) => `orcha-sweep-${name}-${randomBytes(4).toString('hex')}`);
    const handles = await Promise.all(
      tags.map((tag, index) =>
        executor.spawn('sh', ['-c', `sleep 1000; : ${tag}`], {
          detach: { dir: join(root, index === 2 ? 'ses_other' : 'ses_swept') },
        }),
      ),
    );
    for (const handle of handles) {
      void reader(handle.stdout);
      void reader(handle.stderr);
    }
    await waitFor(() => tags.every((tag) => processesTagged(tag).length > 0));
    // One session's spool: its two runs end, the other session's run goes on.
    expect(await executor.sweepDetached(join(root, 'ses_swept'))).toBe(2);
    expect(processesTagged(tags[0]!)).toEqual([]);
    expect(processesTagged(tags[1]!)).toEqual([]);
    expect(processesTagged(tags[2]!)).not.toEqual([]);
    // Every session's: the rest ends too, and nothing is left to sweep.
    expect(await executor.sweepDetached(root)).toBe(1);
    expect(processesTagged(tags[2]!)).toEqual([]);
    expect(await executor.sweepDetached(root)).toBe(0);
    for (const handle of handles) expect((await handle.wait()).code).not.toBe(0);
  });
});

function isInGroup(pid: string, pgid: number): boolean {
  try {
    return Number(execFileSync('ps', ['-o', 'pgid=', '-p', pid]).toString().trim()) === pgid;
  } catch {
    return false;
  }
}
