import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isOrchaError } from '@orcha/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessHandle } from './executor.js';
import { createLocalExecutor } from './local-executor.js';

const executor = createLocalExecutor({ killGraceMs: 500 });

/** Whether `pid` is a running (not zombie) process, as `ps` sees it. */
function running(pid: number): boolean {
  const result = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' });
  const state = result.stdout.trim();
  return state !== '' && !state.startsWith('Z');
}

/** Reads the stream until `pattern` matches the text so far; returns the match. */
async function readUntil(stream: AsyncIterable<Uint8Array>, pattern: RegExp): Promise<RegExpMatchArray> {
  let text = '';
  for await (const chunk of stream) {
    text += Buffer.from(chunk).toString();
    const match = text.match(pattern);
    if (match) return match;
  }
  throw new Error(`stream ended without ${pattern}: ${text}`);
}

async function drain(stream: AsyncIterable<Uint8Array>): Promise<number> {
  let bytes = 0;
  for await (const chunk of stream) bytes += chunk.length;
  return bytes;
}

const notExitedWithin = (handle: ProcessHandle, ms: number) =>
  Promise.race([
    handle.wait().then(() => false),
    new Promise<boolean>((resolve) => setTimeout(resolve, ms, true)),
  ]);

describe('local executor: run', () => {
  it('returns code and both outputs; a non-zero exit is not an error', async () => {
    const result = await executor.run('sh', ['-c', 'echo out; echo err >&2; exit 3']);
    expect(result).toEqual({ code: 3, signal: null, stdout: 'out\n', stderr: 'err\n', truncated: false });
  });

  it('passes arguments verbatim, never through a shell', async () => {
    const result = await executor.run('printf', ['%s|', '$HOME', 'a b', '`id`']);
    expect(result.stdout).toBe('$HOME|a b|`id`|');
  });

  it('adds env to the inherited environment and honours cwd', async () => {
    const result = await executor.run('sh', ['-c', 'echo "$ORCHA_X:$HOME"; pwd'], {
      env: { ORCHA_X: 'set' },
      cwd: tmpdir(),
    });
    const [first, cwd] = result.stdout.trim().split('\n');
    expect(first).toBe(`set:${process.env.HOME}`);
    expect(cwd).toBe(tmpdir());
  });

  it('feeds input and closes stdin, so cat exits; without input stdin is closed at once', async () => {
    expect((await executor.run('cat', [], { input: 'line 1\nline 2\n' })).stdout).toBe('line 1\nline 2\n');
    expect(await executor.run('cat', [], { timeoutMs: 5000 })).toMatchObject({ code: 0, stdout: '' });
  });

  it('reports a signal death as 128 + signal number', async () => {
    const result = await executor.run('sh', ['-c', 'kill -TERM $$']);
    expect(result).toMatchObject({ code: 143, signal: 'SIGTERM' });
  });

  it('times out, killing the whole group, grandchildren included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'orcha-exec-'));
    const pidFile = join(dir, 'pid');
    const started = Date.now();
    const error = await executor
      .run('sh', ['-c', `sleep 1000 & echo $! > ${pidFile}; wait`], { timeoutMs: 200 })
      .catch((caught: unknown) => caught);
    expect(isOrchaError(error, 'unavailable')).toBe(true);
    expect((error as { details: unknown }).details).toMatchObject({ timedOut: true });
    expect(Date.now() - started).toBeLessThan(3000);
    const grandchild = Number((await createLocalExecutor().files(dir).read('pid')).trim());
    expect(grandchild).toBeGreaterThan(0);
    expect(running(grandchild)).toBe(false);
    await rm(dir, { recursive: true, force: true });
  });

  it('aborts with an AbortError', async () => {
    const controller = new AbortController();
    const pending = executor.run('sleep', ['1000'], { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError', code: 'unavailable' });
    await expect(executor.run('true', [], { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('keeps at most maxOutputBytes and still drains the rest (50 MB through head -c)', async () => {
    const result = await executor.run('head', ['-c', String(50 * 1024 * 1024), '/dev/zero'], {
      maxOutputBytes: 1024 * 1024,
    });
    expect(result.code).toBe(0);
    expect(result.truncated).toBe(true);
    expect(result.stdout.length).toBe(1024 * 1024);
  });

  it('gives not_found with a clear message for a missing binary or cwd', async () => {
    await expect(executor.run('orcha-no-such-binary', [])).rejects.toMatchObject({
      code: 'not_found',
      message: 'command not found: orcha-no-such-binary',
    });
    await expect(executor.run('true', [], { cwd: '/nonexistent/orcha' })).rejects.toMatchObject({
      code: 'not_found',
      message: 'working directory does not exist: /nonexistent/orcha',
    });
  });
});

describe('local executor: spawn', () => {
  it('kills the whole process group on cancel: nothing left (sh -c "sleep 1000 & sleep 1000")', async () => {
    const handle = await executor.spawn('sh', ['-c', 'sleep 1000 & echo $!; exec sleep 1000']);
    const match = await readUntil(handle.stdout, /(\d+)\n/);
    const grandchild = Number(match[1]);
    const leader = handle.pid!;
    expect(running(leader)).toBe(true);
    expect(running(grandchild)).toBe(true);
    const status = await handle.kill();
    expect(status.signal).toBe('SIGTERM');
    expect(running(leader)).toBe(false);
    expect(running(grandchild)).toBe(false);
  });

  it('escalates to KILL after the grace period when TERM is ignored', async () => {
    const handle = await executor.spawn(
      'sh',
      ['-c', "trap '' TERM; echo ready; while :; do sleep 0.05; done"],
      {
        killGraceMs: 200,
      },
    );
    await readUntil(handle.stdout, /ready/);
    const status = await handle.kill();
    expect(status.signal).toBe('SIGKILL');
    expect(running(handle.pid!)).toBe(false);
  });

  it('streams 50 MB without buffering it: an unread stream holds the producer back', async () => {
    const total = 50 * 1024 * 1024;
    const handle = await executor.spawn('head', ['-c', String(total), '/dev/zero']);
    const iterator = handle.stdout[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    // Nobody reads: the pipe fills and head blocks instead of its output piling up in our memory.
    expect(await notExitedWithin(handle, 300)).toBe(true);
    let bytes = first.value?.length ?? 0;
    const rssBefore = process.memoryUsage().rss;
    for (let next = await iterator.next(); !next.done; next = await iterator.next())
      bytes += next.value.length;
    expect(bytes).toBe(total);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(40 * 1024 * 1024);
    expect(await handle.wait()).toEqual({ code: 0, signal: null });
  });

  it('writes to stdin and closing it ends cat', async () => {
    const handle = await executor.spawn('cat', []);
    await handle.write('ping\n');
    await readUntil(handle.stdout, /ping\n/);
    await handle.closeStdin();
    const [rest, status] = await Promise.all([drain(handle.stdout), handle.wait(), drain(handle.stderr)]);
    expect(rest).toBe(0);
    expect(status).toEqual({ code: 0, signal: null });
  });

  it('gives not_found for a missing binary or cwd, with and without a pty', async () => {
    for (const pty of [undefined, { cols: 80, rows: 24 }]) {
      await expect(executor.spawn('orcha-no-such-binary', [], { pty })).rejects.toMatchObject({
        code: 'not_found',
      });
      await expect(executor.spawn('true', [], { pty, cwd: '/nonexistent/orcha' })).rejects.toMatchObject({
        code: 'not_found',
      });
    }
  });

  it('describes the local machine', () => {
    const description = executor.describe();
    expect(description.kind).toBe('local');
    expect(description.user.length).toBeGreaterThan(0);
    expect(description.sshCommand).toBeUndefined();
  });
});

describe('local executor: pty', () => {
  it('runs on a terminal of the requested size and echoes input', async () => {
    const handle = await executor.spawn(
      'sh',
      ['-c', 'test -t 0 && echo is-a-tty; stty size; read line; echo "got $line"'],
      { pty: { cols: 101, rows: 31 } },
    );
    await readUntil(handle.stdout, /31 101/);
    await handle.write('hello\r');
    const iterator = handle.stdout[Symbol.asyncIterator]();
    let text = '';
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      text += Buffer.from(next.value).toString();
    }
    expect(text).toContain('got hello');
    expect(await handle.wait()).toEqual({ code: 0, signal: null });
  });

  it('closeStdin sends EOF, which ends cat', async () => {
    // EOF is sent once cat reads the terminal: a ^D typed while the terminal is still being set up is not EOF.
    const handle = await executor.spawn('sh', ['-c', 'echo ready; exec cat'], {
      pty: { cols: 80, rows: 24 },
    });
    await readUntil(handle.stdout, /ready/);
    await handle.closeStdin();
    const [, status] = await Promise.all([drain(handle.stdout), handle.wait()]);
    // cat ends by itself. node-pty sometimes reports an exit right after EOF as a hang-up of the closing
    // terminal (measured: 1 to 3 in 200 runs on 2 busy cores) instead of code 0; either way nobody killed it.
    expect([
      JSON.stringify({ code: 0, signal: null }),
      JSON.stringify({ code: null, signal: 'SIGHUP' }),
    ]).toContain(JSON.stringify(status));
  });

  it('kills the group of a pty process, grandchildren included', async () => {
    const handle = await executor.spawn('sh', ['-c', 'sleep 1000 & echo "pid=$!"; exec sleep 1000'], {
      pty: { cols: 80, rows: 24 },
    });
    const grandchild = Number((await readUntil(handle.stdout, /pid=(\d+)/))[1]);
    expect(running(grandchild)).toBe(true);
    await handle.kill();
    expect(running(handle.pid!)).toBe(false);
    expect(running(grandchild)).toBe(false);
  });
});

describe('pty output backpressure', () => {
  const total = 20 * 1024 * 1024;
  let handle: ProcessHandle;
  beforeAll(async () => {
    // The program waits for input after writing: a terminal may drop the last bytes a process writes
    // just before it exits, which is the terminal's behaviour and not what this test is about.
    handle = await executor.spawn('sh', ['-c', `head -c ${total} /dev/zero; read done; exit 0`], {
      pty: { cols: 80, rows: 24 },
    });
  });
  afterAll(async () => {
    await handle.kill();
  });

  it('pauses the terminal while output is unread, then delivers it all', async () => {
    const iterator = handle.stdout[Symbol.asyncIterator]();
    let bytes = (await iterator.next()).value?.length ?? 0;
    expect(await notExitedWithin(handle, 300)).toBe(true);
    const rssBefore = process.memoryUsage().rss;
    while (bytes < total) {
      const next = await iterator.next();
      if (next.done) break;
      bytes += next.value.length;
    }
    expect(bytes).toBe(total);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(40 * 1024 * 1024);
    await handle.closeStdin();
    expect((await handle.wait()).code).toBe(0);
  });
});
