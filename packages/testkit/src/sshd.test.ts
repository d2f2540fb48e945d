import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopbackSshd, startSshd } from './sshd.js';

let sshd: LoopbackSshd;

/** The host key that answers on 127.0.0.1:port, as known_hosts would hold it. */
async function hostKeyOn(port: number): Promise<string> {
  const keyscan = ['-t', 'ed25519', '-p', String(port), '127.0.0.1'];
  const { stdout } = await promisify(execFile)('ssh-keyscan', keyscan);
  return stdout.trim().split(/\s+/).slice(0, 3).join(' ');
}

beforeAll(async () => {
  sshd = await startSshd();
});

afterAll(async () => {
  await sshd?.stop();
});

describe('loopback sshd', () => {
  it('answers with its own host key on its port', async () => {
    expect(await hostKeyOn(sshd.port)).toBe(sshd.hostKeyLine);
  });

  it('is up only once its own server listens, not when someone else holds its port', async () => {
    await sshd.down();
    const squatter: Server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => squatter.listen(sshd.port, '127.0.0.1', resolve));
    try {
      await expect(sshd.up()).rejects.toThrow(/Address already in use/);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
    await sshd.up();
    expect(await hostKeyOn(sshd.port)).toBe(sshd.hostKeyLine);
  });
});
