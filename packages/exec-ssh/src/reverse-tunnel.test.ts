import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type LoopbackSshd, startSshd } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSshExecutor, type SshExecutor } from './index.js';

let sshd: LoopbackSshd;
let executor: SshExecutor;
let web: Server;
let webPort: number;

beforeAll(async () => {
  sshd = await startSshd();
  executor = createSshExecutor(sshd.client);
  web = createServer((request, response) => response.end(`orcha here: ${request.url}`));
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  webPort = (web.address() as AddressInfo).port;
});

afterAll(async () => {
  executor?.close();
  await new Promise((resolve) => web?.close(resolve));
  await sshd?.stop();
});

async function waitFor<T>(check: () => T | null | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** An HTTP GET made on the target itself, to its own loopback (bash's /dev/tcp: no curl needed there). */
async function getOnTarget(port: number, path: string): Promise<string> {
  const script =
    'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "GET %s HTTP/1.0\\r\\n\\r\\n" "$2" >&3 && cat <&3';
  const result = await executor.run('bash', ['-c', script, 'get', String(port), path], { timeoutMs: 10_000 });
  return result.stdout;
}

/** The sshd process serving this executor's connection, found from a command it runs. */
async function servingSshd(): Promise<number> {
  const script =
    'p=$$; while [ "$p" -gt 1 ]; do case "$(cat /proc/$p/comm)" in sshd*) echo "$p"; exit 0;; esac; p=$(awk \'/^PPid/{print $2}\' /proc/$p/status); done; exit 1';
  const result = await executor.run('sh', ['-c', script]);
  expect(result.code).toBe(0);
  return Number(result.stdout.trim());
}

function processesWith(text: string): string[] {
  try {
    return execFileSync('pgrep', ['-af', text], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

describe('reverse tunnel', () => {
  it("lets programs on the target reach orcha's loopback server through a port on the target's loopback", async () => {
    const to = { host: '127.0.0.1', port: webPort };
    const tunnel = await executor.reverseTunnel(to);
    expect(tunnel.remoteHost).toBe('127.0.0.1');
    expect(tunnel.remotePort).toBeGreaterThan(0);
    expect(tunnel.remotePort).not.toBe(webPort);
    expect(await getOnTarget(tunnel.remotePort, '/mcp/x')).toMatch(/orcha here: \/mcp\/x$/);
    // The same tunnel is kept for the same destination, and it counted the connection it carried.
    expect(await executor.reverseTunnel(to)).toMatchObject({ remotePort: tunnel.remotePort, carried: 1 });
  });

  it('comes back on the same port after its connection drops', async () => {
    const to = { host: '127.0.0.1', port: webPort };
    const before = await executor.reverseTunnel(to);
    const pid = await servingSshd();
    process.kill(pid, 'SIGKILL');
    await waitFor(() => executor.reverseTunnelState(to) === null);
    const after = await waitFor(() => executor.reverseTunnelState(to));
    expect(after.remotePort).toBe(before.remotePort);
    expect(await getOnTarget(after.remotePort, '/again')).toMatch(/orcha here: \/again$/);
  });
});

describe('environment on the target', () => {
  it('reaches a streaming process without ever being on a command line, through a 0600 file read once', async () => {
    const secret = `sk-secret-${process.pid}-${Date.now()}`;
    const handle = await executor.spawn('sh', ['-c', 'printf "%s\\n" "$ORCHA_SECRET"; sleep 30'], {
      env: { ORCHA_SECRET: secret },
    });
    const chunks: Buffer[] = [];
    const reading = (async () => {
      for await (const chunk of handle.stdout) chunks.push(Buffer.from(chunk));
    })();
    await waitFor(() => Buffer.concat(chunks).toString().includes(secret));
    // Every process on this machine (the target is on loopback): none carries the value in its argv.
    expect(processesWith(secret)).toEqual([]);
    await handle.kill();
    await reading;
  });

  it('sets PATH before the command is looked up, so a tool only on that PATH is found', async () => {
    const dir = `${sshd.dir}/login-bin`;
    await executor.run('mkdir', ['-p', dir]);
    await executor.files(dir).write('only-here', '#!/bin/sh\necho "found with $1"\n', { mode: 0o755 });
    expect(existsSync(`${dir}/only-here`)).toBe(true);
    await expect(executor.run('only-here', ['x'])).rejects.toThrow(/command not found/);
    const found = await executor.run('only-here', ['x'], { env: { PATH: `${dir}:/usr/bin:/bin` } });
    expect(found.stdout).toBe('found with x\n');
  });
});
