import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

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
  /**
   * The machine drops off the network: the listener and every connection process of this server are
   * killed (by pid: the listener's children), so clients see their connections reset. Processes started
   * over those connections that detached (tmux, wrapped agents) live on, as on a real machine.
   */
  down(): Promise<void>;
  /** The server listens again on the same port with the same host key. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

async function freeTcpPort(): Promise<number> {
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

export interface SshdOptions {
  /** PATH of the login environment (PermitUserEnvironment), e.g. to hide tools from the remote PATH. */
  path?: string;
  /** More variables of the login environment, e.g. a HOME whose `.profile` the login shell reads. */
  environment?: Record<string, string>;
  /**
   * Run the server's sessions in a network namespace of their own (`unshare -n`; needs root): its
   * loopback is not this machine's, so the remote side reaches no port here — not orcha's, not a fake
   * model's — except through SSH forwarding. Clients still connect to `host:port` here, relayed in.
   */
  ownNetwork?: boolean;
  /** Channels the server allows per connection (`MaxSessions`; OpenSSH's default is 10). Default 100. */
  maxSessions?: number;
}

/** A network namespace kept by a small process; its stdin closing (even when we die) ends it. */
async function startNetworkNamespace(): Promise<ChildProcess> {
  const holder = spawn('unshare', ['-n', 'sh', '-c', 'ip link set lo up && echo up && exec cat'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  holder.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  await new Promise<void>((resolve, reject) => {
    holder.stdout?.once('data', () => resolve());
    holder.once('exit', (code) => reject(new Error(`unshare -n exited ${code}: ${stderr}`)));
    holder.once('error', reject);
  });
  return holder;
}

/**
 * Accepts connections here and hands each to an `sshd -i` started inside the namespace (inetd mode: the
 * connection is its stdin and stdout).
 */
async function startRelay(
  holder: ChildProcess,
  config: string,
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const relay = createServer((socket) => {
    sockets.add(socket);
    const sshd = spawn(
      'nsenter',
      [`--net=/proc/${holder.pid}/ns/net`, '/usr/sbin/sshd', '-i', '-e', '-f', config],
      {
        stdio: ['pipe', 'pipe', 'ignore'],
      },
    );
    socket.pipe(sshd.stdin!);
    sshd.stdout!.pipe(socket);
    const end = () => {
      sockets.delete(socket);
      socket.destroy();
      if (sshd.exitCode === null) sshd.kill('SIGTERM');
    };
    socket.once('close', end);
    socket.once('error', end);
    sshd.once('exit', end);
    sshd.stdin!.on('error', end);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const address = relay.address();
  if (typeof address !== 'object' || !address) throw new Error('the relay has no port');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        relay.close(() => resolve());
      }),
  };
}

/**
 * Starts a real OpenSSH sshd on 127.0.0.1 with its own host key, config and an authorized client key, in
 * a temp dir. Never touches the system sshd.
 */
export async function startSshd(options: SshdOptions = {}): Promise<LoopbackSshd> {
  const dir = await mkdtemp(join(tmpdir(), 'orcha-sshd-'));
  const hostKey = join(dir, 'host_ed25519');
  const identityFile = join(dir, 'client_ed25519');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', identityFile]);
  const clientPublic = await readFile(`${identityFile}.pub`, 'utf8');
  const variables = { ...options.environment, ...(options.path ? { PATH: options.path } : {}) };
  const environment = Object.entries(variables)
    .map(([name, value]) => `environment="${name}=${value}",`)
    .join('')
    .replace(/,$/, ' ');
  await writeFile(join(dir, 'authorized_keys'), `${environment}${clientPublic}`, { mode: 0o600 });
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
      `PermitUserEnvironment ${environment ? 'yes' : 'no'}`,
      'Subsystem sftp internal-sftp',
      `MaxSessions ${options.maxSessions ?? 100}`,
      'MaxStartups 100:30:200',
      'LogLevel ERROR',
    ].join('\n'),
  );
  await run('mkdir', ['-p', '/run/sshd']);
  let server: { port: number; pid?: number | undefined; stop(): Promise<void> } = options.ownNetwork
    ? await startNamespacedServer(join(dir, 'sshd_config'))
    : await startListeningServer(join(dir, 'sshd_config'));
  let isDown = false;
  const hostPublic = (await readFile(`${hostKey}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
  const hostKeyLine = `[127.0.0.1]:${server.port} ${hostPublic}`;
  const knownHostsFile = join(dir, 'known_hosts');
  await writeFile(knownHostsFile, `${hostKeyLine}\n`);
  const user = userInfo().username;
  return {
    host: '127.0.0.1',
    port: server.port,
    user,
    identityFile,
    privateKey: await readFile(identityFile, 'utf8'),
    knownHostsFile,
    hostKeyLine,
    client: { host: '127.0.0.1', port: server.port, user, identityFile, knownHostsFile },
    dir,
    async down() {
      if (options.ownNetwork) throw new Error('down() is not supported with ownNetwork');
      if (isDown) return;
      isDown = true;
      const children = server.pid ? await sshdDescendants(server.pid) : [];
      await server.stop();
      for (const pid of children) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
    async up() {
      if (!isDown) return;
      server = await startListeningServer(join(dir, 'sshd_config'), server.port);
      isDown = false;
    },
    async stop() {
      if (!isDown) await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The sshd processes below `pid` (connection monitors and their unprivileged children), by pid. */
async function sshdDescendants(pid: number): Promise<number[]> {
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift()!;
    const children = await run('pgrep', ['-P', String(parent)]).then(
      (result) => result.stdout.split('\n').filter(Boolean).map(Number),
      () => [] as number[],
    );
    for (const child of children) {
      const name = await readFile(`/proc/${child}/comm`, 'utf8').catch(() => '');
      if (name.trim() !== 'sshd') continue;
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * sshd listening on 127.0.0.1 of this machine: on `port` when given, else on a free one. A free port is
 * probed and released before sshd binds it, so another process may take it in between; then sshd cannot
 * bind and another port is tried. (Waiting for the port to answer is not enough: the answer may come from
 * whoever took it, such as another test's sshd.)
 */
async function startListeningServer(config: string, port?: number) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await listenOn(port ?? (await freeTcpPort()), config);
    } catch (error) {
      const taken = (error as Error).message.includes('Address already in use');
      if (port !== undefined || !taken || attempt >= 3) throw error;
    }
  }
}

/** Runs sshd on `port`; resolves once sshd itself says it listens there, rejects if it ends first. */
async function listenOn(port: number, config: string) {
  const child: ChildProcess = spawn(
    '/usr/sbin/sshd',
    // VERBOSE only for the line that says it listens; the config's own level keeps the rest quiet.
    ['-D', '-e', '-o', 'LogLevel=VERBOSE', '-p', String(port), '-o', 'ListenAddress=127.0.0.1', '-f', config],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  let listening = false;
  // Drained for the server's whole life (a full pipe would stall it); kept only until it listens.
  child.stderr?.on('data', (chunk) => {
    if (!listening) stderr += String(chunk);
  });
  const listens = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sshd did not listen on ${port} within 10 s: ${stderr}`));
    }, 10_000);
    child.stderr?.on('data', () => {
      if (listening || !stderr.includes(`Server listening on 127.0.0.1 port ${port}.`)) return;
      listening = true;
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd exited (${code}) before listening on ${port}: ${stderr}`));
    });
  });
  await listens;
  return { port, pid: child.pid, stop: () => stopChild(child) };
}

/** sshd sessions inside a network namespace of their own, reached through a relay on 127.0.0.1 here. */
async function startNamespacedServer(config: string) {
  const holder = await startNetworkNamespace();
  const relay = await startRelay(holder, config).catch(async (error) => {
    await stopChild(holder);
    throw error;
  });
  return {
    port: relay.port,
    async stop() {
      await relay.close();
      holder.stdin?.end();
      await stopChild(holder);
    },
  };
}
