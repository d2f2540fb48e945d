import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { poll } from '@orcha/exec';

const run = promisify(execFile);

export interface LoopbackSshd {
  host: '127.0.0.1';
  port: number;
  user: string;
  /** The client's private key file and its contents. */
  identityFile: string;
  privateKey: string;
  /** A known_hosts file that trusts this server's host key. */
  knownHostsFile: string;
  /** The host key line (`[127.0.0.1]:port ssh-ed25519 AAAA…`) as known_hosts holds it. */
  hostKeyLine: string;
  /** How a client reaches this server with the files above: the settings an SSH executor takes. */
  client: { host: string; port: number; user: string; identityFile: string; knownHostsFile: string };
  dir: string;
  stop(): Promise<void>;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const listening = () =>
    new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  if (!(await poll(listening, { intervalMs: 50, timeoutMs })))
    throw new Error(`sshd did not listen on ${port}`);
}

async function freeTcpPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Starts a real OpenSSH sshd on 127.0.0.1 with its own host key, config and an authorized client key, in
 * a temp dir. Never touches the system sshd. `environment` lines go to the login environment
 * (PermitUserEnvironment), e.g. to hide tools from the remote PATH.
 */
export async function startSshd(options: { path?: string } = {}): Promise<LoopbackSshd> {
  const dir = await mkdtemp(join(tmpdir(), 'orcha-sshd-'));
  const hostKey = join(dir, 'host_ed25519');
  const identityFile = join(dir, 'client_ed25519');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', identityFile]);
  const clientPublic = await readFile(`${identityFile}.pub`, 'utf8');
  const environment = options.path ? `environment="PATH=${options.path}" ` : '';
  await writeFile(join(dir, 'authorized_keys'), `${environment}${clientPublic}`, { mode: 0o600 });
  const port = await freeTcpPort();
  await writeFile(
    join(dir, 'sshd_config'),
    [
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      `PermitUserEnvironment ${options.path ? 'yes' : 'no'}`,
      'Subsystem sftp internal-sftp',
      'MaxSessions 100',
      'MaxStartups 100:30:200',
      'LogLevel ERROR',
    ].join('\n'),
  );
  await run('mkdir', ['-p', '/run/sshd']);
  const child: ChildProcess = spawn(
    '/usr/sbin/sshd',
    ['-D', '-e', '-p', String(port), '-o', 'ListenAddress=127.0.0.1', '-f', join(dir, 'sshd_config')],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  try {
    await waitForPort(port, 10_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}: ${stderr}`);
  }
  const hostPublic = (await readFile(`${hostKey}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
  const hostKeyLine = `[127.0.0.1]:${port} ${hostPublic}`;
  const knownHostsFile = join(dir, 'known_hosts');
  await writeFile(knownHostsFile, `${hostKeyLine}\n`);
  const user = userInfo().username;
  return {
    host: '127.0.0.1',
    port,
    user,
    identityFile,
    privateKey: await readFile(identityFile, 'utf8'),
    knownHostsFile,
    hostKeyLine,
    client: { host: '127.0.0.1', port, user, identityFile, knownHostsFile },
    dir,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
