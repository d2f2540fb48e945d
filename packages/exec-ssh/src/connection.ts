import { readFile } from 'node:fs/promises';
import type { SeenHostKey } from '@orcha/exec';
import { OrchaError } from '@orcha/model';
import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { fingerprint, readKnownHosts, verifyHostKey } from './known-hosts.js';

export interface SshSettings {
  host: string;
  port?: number | undefined;
  user: string;
  /** The private key itself, or a file to read it from. Key auth only: there are never prompts. */
  privateKey?: string | Buffer | undefined;
  identityFile?: string | undefined;
  /** Host keys are verified against this file; unknown or changed keys are refused. Trusting writes here. */
  knownHostsFile: string;
  /** More known_hosts files read (never written), e.g. the user's `~/.ssh/known_hosts`. */
  extraKnownHostsFiles?: readonly string[] | undefined;
  keepaliveMs?: number | undefined;
  connectTimeoutMs?: number | undefined;
  /**
   * Channels opened on one connection before another connection is opened. OpenSSH allows 10 per
   * connection by default (MaxSessions); a server that refuses earlier lowers this by itself.
   */
  maxChannelsPerConnection?: number | undefined;
}

/** The raw host key an unknown or changed server presented, so a person can decide to trust it. */
export interface PresentedHostKey {
  keyType: string;
  key: Buffer;
  fingerprint: string;
}

export type { SeenHostKey };

export function keyTypeOf(blob: Buffer): string {
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}

interface Pooled {
  client: Client;
  /** Channels open (or being opened) on this connection. */
  channels: number;
  limit: number;
  closed: boolean;
}

/** ssh2 marks a refused channel open with the server's numeric reason (e.g. MaxSessions reached). */
const refusedOpen = (error: unknown) => typeof (error as { reason?: unknown }).reason === 'number';

/**
 * The pooled SSH connections of one target: opened on first use, reopened after they drop, kept alive.
 * Channels are counted, and a further connection is opened when one has no room left, so many sessions
 * (each with a streaming channel) fit under the server's per-connection limit. Host keys are checked
 * against known_hosts before authentication completes.
 */
export class SshConnection {
  private readonly pool: Pooled[] = [];
  private connecting: Promise<void> | null = null;
  lastPresentedKey: PresentedHostKey | null = null;
  lastSeenKey: SeenHostKey | null = null;
  /** Channels opened so far, on every connection of the pool. */
  channelsOpened = 0;

  constructor(private readonly settings: SshSettings) {}

  get port(): number {
    return this.settings.port ?? 22;
  }

  /** Connections open now. */
  get connections(): number {
    return this.pool.filter((pooled) => !pooled.closed).length;
  }

  /** Channels open (or being opened) now, on every connection of the pool. */
  get channelsOpen(): number {
    return this.pool.reduce((sum, pooled) => sum + (pooled.closed ? 0 : pooled.channels), 0);
  }

  /** Reserves room for one channel, on a connection that has it (a new one when none has). */
  private async reserve(): Promise<Pooled> {
    for (;;) {
      const free = this.pool.find((pooled) => !pooled.closed && pooled.channels < pooled.limit);
      if (free) {
        free.channels++;
        return free;
      }
      this.connecting ??= this.open()
        .then((pooled) => {
          this.pool.push(pooled);
        })
        .finally(() => {
          this.connecting = null;
        });
      await this.connecting;
    }
  }

  /** Opens a channel with room reserved; when the server refuses it for lack of room, tries elsewhere. */
  private async channel<T extends ClientChannel | SFTPWrapper>(
    open: (client: Client, done: (error: Error | undefined, channel: T) => void) => void,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const pooled = await this.reserve();
      try {
        const channel = await new Promise<T>((resolve, reject) =>
          open(pooled.client, (error, opened) => (error ? reject(error) : resolve(opened))),
        );
        channel.once('close', () => {
          pooled.channels--;
        });
        this.channelsOpened++;
        return channel;
      } catch (error) {
        pooled.channels--;
        if (refusedOpen(error) && attempt < 4) {
          // The server allows fewer channels than we thought: remember that, and use another connection.
          pooled.limit = Math.max(1, pooled.channels);
          continue;
        }
        throw new OrchaError('unavailable', `ssh channel: ${(error as Error).message}`);
      }
    }
  }

  private async open(): Promise<Pooled> {
    const { settings } = this;
    const knownHosts = (
      await Promise.all(
        [settings.knownHostsFile, ...(settings.extraKnownHostsFiles ?? [])].map(readKnownHosts),
      )
    ).join('\n');
    let privateKey = settings.privateKey;
    if (!privateKey && settings.identityFile) {
      const file = settings.identityFile;
      privateKey = await readFile(file).catch((error: NodeJS.ErrnoException) => {
        throw new OrchaError(
          'invalid_argument',
          `cannot read the identity file ${file}: ${error.code ?? error.message}`,
        );
      });
    }
    if (!privateKey)
      throw new OrchaError(
        'invalid_argument',
        `no private key for ${settings.user}@${settings.host}: give the target an identity file (key-based login only)`,
      );
    let refusal: OrchaError | null = null;
    const client = new Client();
    const config: ConnectConfig = {
      host: settings.host,
      port: this.port,
      username: settings.user,
      privateKey,
      readyTimeout: settings.connectTimeoutMs ?? 10_000,
      keepaliveInterval: settings.keepaliveMs ?? 15_000,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer) => {
        const verdict = verifyHostKey(knownHosts, settings.host, this.port, key);
        const seen = { keyType: keyTypeOf(key), fingerprint: fingerprint(key) };
        this.lastSeenKey = { ...seen, status: verdict.ok ? 'trusted' : verdict.kind };
        if (verdict.ok) return true;
        this.lastPresentedKey = { ...seen, key };
        refusal = new OrchaError(
          'forbidden',
          verdict.kind === 'unknown'
            ? `unknown host key for ${settings.host}:${this.port} (${verdict.fingerprint}); trust it explicitly before use`
            : `the host key of ${settings.host}:${this.port} changed (now ${verdict.fingerprint}); refusing to connect`,
          { hostKey: verdict.kind, fingerprint: verdict.fingerprint },
        );
        return false;
      },
    };
    // ssh2 may report more than one error for one failed attempt: the first rejects, none goes unheard.
    client.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', (error) =>
        reject(
          refusal ??
            new OrchaError(
              'unavailable',
              `ssh ${settings.user}@${settings.host}:${this.port}: ${error.message}`,
            ),
        ),
      );
      client.connect(config);
    });
    const pooled: Pooled = {
      client,
      channels: 0,
      limit: settings.maxChannelsPerConnection ?? 8,
      closed: false,
    };
    // Commands and their markers are small writes: without this, Nagle's algorithm and delayed ACKs add
    // some 40 ms to every round trip.
    client.setNoDelay(true);
    client.once('close', () => {
      pooled.closed = true;
      const index = this.pool.indexOf(pooled);
      if (index >= 0) this.pool.splice(index, 1);
    });
    return pooled;
  }

  /**
   * An open connection of the pool (one is opened when none is), for requests that hold no channel, such
   * as remote port forwarding. `onClose` is told when that connection drops.
   */
  async anyClient(onClose: () => void): Promise<Client> {
    let pooled = this.pool.find((candidate) => !candidate.closed);
    if (!pooled) {
      pooled = await this.reserve();
      pooled.channels--;
    }
    pooled.client.once('close', onClose);
    return pooled.client;
  }

  /** Opens an exec channel (with a pseudo-terminal when asked). */
  exec(
    command: string,
    options: { pty?: { cols: number; rows: number } | undefined } = {},
  ): Promise<ClientChannel> {
    const ptyOptions = options.pty
      ? { pty: { term: 'xterm-256color', cols: options.pty.cols, rows: options.pty.rows } }
      : {};
    return this.channel<ClientChannel>((client, done) => client.exec(command, ptyOptions, done));
  }

  /** Opens an SFTP session (one channel). */
  sftp(): Promise<SFTPWrapper> {
    return this.channel<SFTPWrapper>((client, done) => client.sftp(done));
  }

  close(): void {
    for (const pooled of this.pool.splice(0)) {
      pooled.closed = true;
      pooled.client.end();
    }
  }
}
