import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { isOrchaError } from '@orcha/model';
import { type LoopbackSshd, startSshd } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSshExecutor,
  createSshExecutorPool,
  type SshExecutor,
  type SshTargetAddress,
} from './index.js';
import { processesTagged, waitFor } from './testing/processes.js';

let sshd: LoopbackSshd;
let executor: SshExecutor;

beforeAll(async () => {
  sshd = await startSshd();
  executor = createSshExecutor({
    host: sshd.host,
    port: sshd.port,
    user: sshd.user,
    identityFile: sshd.identityFile,
    knownHostsFile: sshd.knownHostsFile,
  });
});

afterAll(async () => {
  executor?.close();
  await sshd?.stop();
});

async function text(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

describe('ssh executor', () => {
  it('runs commands with arguments, cwd and env kept intact, and reports the exit code', async () => {
    const tricky = `it's "quoted" $HOME ; rm -rf / && \`x\``;
    const result = await executor.run(
      'sh',
      ['-c', 'printf "%s|%s|%s" "$1" "$PWD" "$ORCHA_TEST"; exit 3', 'sh', tricky],
      {
        cwd: '/tmp',
        env: { ORCHA_TEST: 'value with spaces' },
      },
    );
    expect(result).toMatchObject({ code: 3, stdout: `${tricky}|/tmp|value with spaces`, stderr: '' });
    const separate = await executor.run('sh', ['-c', 'echo out; echo err >&2']);
    expect(separate.stdout).toBe('out\n');
    expect(separate.stderr).toBe('err\n');
    expect(executor.describe()).toMatchObject({
      kind: 'ssh',
      host: '127.0.0.1',
      sshCommand: `ssh -t -p ${sshd.port} ${sshd.user}@127.0.0.1`,
    });
  });

  it('runs many commands at once over the pooled connection', async () => {
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => executor.run('echo', [`n${i}`])));
    expect(results.map((result) => result.stdout.trim())).toEqual(
      Array.from({ length: 24 }, (_, i) => `n${i}`),
    );
  });

  it('opens no more than 8 command shells for many long commands at once', async () => {
    const fresh = createSshExecutor(sshd.client);
    try {
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) => fresh.run('sh', ['-c', `sleep 0.3; echo n${i}`])),
      );
      expect(results.map((result) => result.stdout.trim())).toEqual(
        Array.from({ length: 24 }, (_, i) => `n${i}`),
      );
      expect(fresh.channels().opened).toBeLessThanOrEqual(8);
    } finally {
      fresh.close();
    }
  });

  it('runs each command as the leader of its own process group (the shell job control of bash)', async () => {
    const group = await executor.run('sh', ['-c', 'echo "$$ $(ps -o pgid= -p $$)"']);
    const [pid, pgid] = group.stdout.trim().split(/\s+/);
    expect(pgid).toBe(pid);
    // Job notices of the long-lived shell never leak into a command's output.
    expect((await executor.run('true', [])).stderr).toBe('');
  });

  it('gives a clear not_found for a missing binary or directory', async () => {
    const missing = await executor.run('orcha-no-such-binary', []).catch((error) => error);
    expect(isOrchaError(missing, 'not_found')).toBe(true);
    expect(String(missing.message)).toMatch(/orcha-no-such-binary/);
    const nowhere = await executor.run('ls', [], { cwd: '/orcha/no/such/dir' }).catch((error) => error);
    expect(isOrchaError(nowhere, 'not_found')).toBe(true);
  });

  it('feeds input on stdin', async () => {
    const result = await executor.run('tr', ['a-z', 'A-Z'], { input: 'hello over ssh\n' });
    expect(result.stdout).toBe('HELLO OVER SSH\n');
  });

  it('carries input exactly on a pooled shell, through a temp file gone before the command runs', async () => {
    const input = `'quotes' "and" $HOME \`x\` \\ ünïcode\n${'0123456789'.repeat(100_000)}\nlast`;
    const result = await executor.run('sh', ['-c', 'cat; ls /tmp | grep -c "^orcha-in\\." >&2'], {
      input,
    });
    expect(result.stdout).toBe(input);
    expect(result.stderr.trim()).toBe('0'); // its temp file was gone before the command ran
  });

  it('times out and kills the whole remote group', async () => {
    const tag = `orcha-timeout-${randomBytes(4).toString('hex')}`;
    const error = await executor
      .run('sh', ['-c', `sleep 1000 & sleep 1001; : ${tag}`], { timeoutMs: 500 })
      .catch((e) => e);
    expect(isOrchaError(error, 'unavailable')).toBe(true);
    expect(error.details).toMatchObject({ timedOut: true });
    await waitFor(() => processesTagged(tag).length === 0);
  });

  it('streams a remote process output live (remote log streaming)', async () => {
    const handle = await executor.spawn('sh', ['-c', 'for i in 1 2 3; do echo "line $i"; sleep 0.3; done']);
    const seen: { text: string; at: number }[] = [];
    for await (const chunk of handle.stdout)
      seen.push({ text: Buffer.from(chunk).toString(), at: Date.now() });
    const status = await handle.wait();
    expect(status.code).toBe(0);
    expect(seen.map((entry) => entry.text).join('')).toBe('line 1\nline 2\nline 3\n');
    // The first line arrived well before the process ended: streamed, not collected at exit.
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen[seen.length - 1]!.at - seen[0]!.at).toBeGreaterThan(300);
  });

  it('keeps stdin open for a streaming process until closed', async () => {
    const handle = await executor.spawn('cat', []);
    const output = text(handle.stdout);
    await handle.write('first\n');
    await handle.write('second\n');
    await handle.closeStdin();
    expect(await output).toBe('first\nsecond\n');
    expect((await handle.wait()).code).toBe(0);
    expect(handle.pid).toBeGreaterThan(1);
  });

  it('cancel kills the remote process group, grandchildren included (remote cancel)', async () => {
    const tag = `orcha-cancel-${randomBytes(4).toString('hex')}`;
    const handle = await executor.spawn('sh', ['-c', `sleep 1000 & sleep 1001 & wait; : ${tag}`]);
    await waitFor(() => processesTagged(tag).length > 0 && handle.pid !== undefined);
    await waitFor(() => {
      try {
        return (
          execFileSync('pgrep', ['-g', String(handle.pid)], { encoding: 'utf8' })
            .trim()
            .split('\n').length >= 3
        );
      } catch {
        return false;
      }
    });
    const group = String(handle.pid);
    await handle.kill();
    await waitFor(() => {
      try {
        execFileSync('pgrep', ['-g', group]);
        return false;
      } catch {
        return true;
      }
    });
  });

  it('runs a process on a pseudo-terminal and kills it on cancel', async () => {
    const handle = await executor.spawn('sh', ['-c', 'if [ -t 1 ]; then echo tty; fi; sleep 1000'], {
      pty: { cols: 80, rows: 24 },
    });
    const iterator = handle.stdout[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(Buffer.from(first.value as Uint8Array).toString()).toContain('tty');
    const group = String(handle.pid);
    await handle.kill();
    await waitFor(() => {
      try {
        execFileSync('pgrep', ['-g', group]);
        return false;
      } catch {
        return true;
      }
    });
  });

  it('does file operations over SFTP, confined to the root', async () => {
    const root = `/tmp/orcha-sftp-${randomBytes(4).toString('hex')}`;
    const files = executor.files(root);
    await files.write('a/b/note.txt', 'hello sftp');
    expect(await files.read('a/b/note.txt')).toBe('hello sftp');
    expect(await files.exists('a/b/note.txt')).toBe(true);
    await files.remove('a/b/note.txt');
    expect(await files.exists('a/b/note.txt')).toBe(false);
    await expect(files.read('../../etc/passwd')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(files.read('missing.txt')).rejects.toMatchObject({ code: 'not_found' });
    await executor.run('rm', ['-rf', root]);
  });
});

describe('host keys', () => {
  it('refuses an unknown host key until it is trusted explicitly', async () => {
    const knownHostsFile = `${sshd.dir}/empty_known_hosts_${randomBytes(3).toString('hex')}`;
    writeFileSync(knownHostsFile, '');
    const stranger = createSshExecutor({
      host: sshd.host,
      port: sshd.port,
      user: sshd.user,
      identityFile: sshd.identityFile,
      knownHostsFile,
    });
    try {
      const error = await stranger.run('true', []).catch((e) => e);
      expect(isOrchaError(error, 'forbidden')).toBe(true);
      expect(String(error.message)).toMatch(/unknown host key/);
      expect(stranger.presentedHostKey()?.fingerprint).toMatch(/^SHA256:/);
      expect(stranger.hostKey()).toMatchObject({
        status: 'unknown',
        fingerprint: stranger.presentedHostKey()?.fingerprint,
      });
      const line = await stranger.trustPresentedHostKey();
      expect(line.split(' ').slice(1).join(' ')).toBe(sshd.hostKeyLine.split(' ').slice(1).join(' '));
      expect((await stranger.run('echo', ['trusted'])).stdout).toBe('trusted\n');
    } finally {
      stranger.close();
    }
  });

  it('refuses a changed host key', async () => {
    const knownHostsFile = `${sshd.dir}/changed_known_hosts`;
    const otherKey = execFileSync(
      'sh',
      ['-c', `ssh-keygen -q -t ed25519 -N '' -f ${sshd.dir}/other && cat ${sshd.dir}/other.pub`],
      {
        encoding: 'utf8',
      },
    );
    writeFileSync(knownHostsFile, `[127.0.0.1]:${sshd.port} ${otherKey.split(' ').slice(0, 2).join(' ')}\n`);
    const impostor = createSshExecutor({
      host: sshd.host,
      port: sshd.port,
      user: sshd.user,
      identityFile: sshd.identityFile,
      knownHostsFile,
    });
    try {
      const error = await impostor.run('true', []).catch((e) => e);
      expect(isOrchaError(error, 'forbidden')).toBe(true);
      expect(String(error.message)).toMatch(/changed/);
      expect(impostor.hostKey()).toMatchObject({ status: 'changed', keyType: 'ssh-ed25519' });
      // Trusting the new key (a reinstalled host) replaces the old one instead of trusting both.
      await impostor.trustPresentedHostKey();
      const lines = readFileSync(knownHostsFile, 'utf8').trim().split('\n');
      expect(lines).toEqual([sshd.hostKeyLine]);
      expect((statSync(knownHostsFile).mode & 0o777).toString(8)).toBe('600');
      expect((await impostor.run('echo', ['ok'])).stdout).toBe('ok\n');
      expect(impostor.hostKey()?.status).toBe('trusted');
    } finally {
      impostor.close();
    }
  });

  it('also trusts keys from read-only known_hosts files, without writing to them', async () => {
    const own = `${sshd.dir}/own_known_hosts_${randomBytes(3).toString('hex')}`;
    const reader = createSshExecutor({
      host: sshd.host,
      port: sshd.port,
      user: sshd.user,
      identityFile: sshd.identityFile,
      knownHostsFile: own,
      extraKnownHostsFiles: [sshd.knownHostsFile],
    });
    try {
      expect((await reader.run('echo', ['via extra'])).stdout).toBe('via extra\n');
      expect(reader.hostKey()).toMatchObject({
        status: 'trusted',
        fingerprint: expect.stringMatching(/^SHA256:/),
      });
      expect(existsSync(own)).toBe(false);
    } finally {
      reader.close();
    }
  });
});

describe('executor pool', () => {
  const address = (overrides: Partial<SshTargetAddress> = {}): SshTargetAddress => ({
    id: 'tgt_pool',
    host: sshd.host,
    user: sshd.user,
    port: sshd.port,
    identityFile: sshd.identityFile,
    ...overrides,
  });

  it('keeps one executor per target, replaced when the address changes, all closed at once', async () => {
    const pool = createSshExecutorPool({ knownHostsFile: sshd.knownHostsFile });
    try {
      const first = pool.executorFor(address());
      expect(pool.executorFor(address())).toBe(first);
      expect((await first.run('echo', ['pooled'])).stdout).toBe('pooled\n');
      const other = pool.executorFor(address({ id: 'tgt_other' }));
      expect(other).not.toBe(first);
      const moved = pool.executorFor(address({ port: 1 }));
      expect(moved).not.toBe(first);
      await expect(moved.run('true', [])).rejects.toMatchObject({ code: 'unavailable' });
      expect(() => pool.executorFor(address({ host: null }))).toThrow(/needs a host and a user/);
    } finally {
      pool.close();
    }
  });

  it('falls back to the first default identity file that exists', async () => {
    const pool = createSshExecutorPool({
      knownHostsFile: sshd.knownHostsFile,
      defaultIdentityFiles: [`${sshd.dir}/no_such_key`, sshd.identityFile],
    });
    try {
      const executor = pool.executorFor(address({ identityFile: null }));
      expect((await executor.run('echo', ['default key'])).stdout).toBe('default key\n');
      const keyless = createSshExecutorPool({ knownHostsFile: sshd.knownHostsFile }).executorFor(
        address({ identityFile: null }),
      );
      await expect(keyless.run('true', [])).rejects.toMatchObject({ code: 'invalid_argument' });
      keyless.close();
    } finally {
      pool.close();
    }
  });
});

describe('channels beyond the server limit', () => {
  it('opens more connections when the server allows few channels per connection', async () => {
    const tight = await startSshd();
    const config = `${tight.dir}/sshd_config`;
    writeFileSync(config, readFileSync(config, 'utf8').replace('MaxSessions 100', 'MaxSessions 2'));
    // sshd re-executes itself on SIGHUP and reads its configuration again.
    process.kill(Number(readFileSync(`${tight.dir}/sshd.pid`, 'utf8')), 'SIGHUP');
    const narrow = createSshExecutor({
      host: tight.host,
      port: tight.port,
      user: tight.user,
      identityFile: tight.identityFile,
      knownHostsFile: tight.knownHostsFile,
    });
    try {
      await waitForAsync(
        async () =>
          await narrow.run('true', []).then(
            () => true,
            () => false,
          ),
      );
      const handles = await Promise.all(
        Array.from({ length: 5 }, (_, i) => narrow.spawn('sh', ['-c', `echo s${i}; sleep 30`])),
      );
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => narrow.run('echo', [`c${i}`])));
      expect(results.map((result) => result.stdout)).toEqual(Array.from({ length: 6 }, (_, i) => `c${i}\n`));
      await narrow.files(tight.dir).write('note.txt', 'room enough');
      expect(await narrow.files(tight.dir).read('note.txt')).toBe('room enough');
      for (const [i, handle] of handles.entries()) {
        const first = await handle.stdout[Symbol.asyncIterator]().next();
        expect(Buffer.from(first.value as Uint8Array).toString()).toBe(`s${i}\n`);
      }
      await Promise.all(handles.map((handle) => handle.kill()));
    } finally {
      narrow.close();
      await tight.stop();
    }
  });
});

async function waitForAsync(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a machine without bash', () => {
  it('still runs each command as its own process group (through setsid) and kills it on timeout', async () => {
    const bin = `${sshd.dir}/bin-without-bash`;
    mkdirSync(bin);
    for (const name of readdirSync('/usr/bin'))
      if (name !== 'bash') symlinkSync(`/usr/bin/${name}`, `${bin}/${name}`);
    const plain = await startSshd({ path: bin });
    const executor = createSshExecutor({
      host: plain.host,
      port: plain.port,
      user: plain.user,
      identityFile: plain.identityFile,
      knownHostsFile: plain.knownHostsFile,
    });
    try {
      expect((await executor.run('sh', ['-c', 'command -v bash || echo none'])).stdout).toBe('none\n');
      const group = await executor.run('sh', ['-c', 'echo "$$ $(ps -o pgid= -p $$)"']);
      const [pid, pgid] = group.stdout.trim().split(/\s+/);
      expect(pgid).toBe(pid);
      const tag = `orcha-nobash-${randomBytes(4).toString('hex')}`;
      const error = await executor
        .run('sh', ['-c', `sleep 1000 & sleep 1001; : ${tag}`], { timeoutMs: 300 })
        .catch((e) => e);
      expect(error.details).toMatchObject({ timedOut: true });
      await waitFor(() => processesTagged(tag).length === 0);
    } finally {
      executor.close();
      await plain.stop();
    }
  });
});
