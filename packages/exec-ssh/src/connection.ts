import { OrchaError } from '@orcha/model';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { fingerprint, readKnownHosts, verifyHostKey } from './known-hosts.js';

export interface SshSettings {
  host: string;
  port?: number | undefined;
  user: string;
  /** The private key itself, or a file to read it from. Key auth only: there are never prompts. */
  privateKey?: string | Buffer | undefined;
  identityFile?: string | undefined;
  /** Host keys are verified against this file; unknown or changed keys are refused. */
  knownHostsFile: string;
  keepaliveMs?: number | undefined;
  connectTimeoutMs?: number | undefined;
}

/** The raw host key an unknown or changed server presented, so a person can decide to trust it. */
export interface PresentedHostKey {
  keyType: string;
  key: Buffer;
  fingerprint: string;
}

export function keyTypeOf(blob: Buffer): string {
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}

/**
 * One pooled SSH connection per target: opened on first use, reopened after it drops, kept alive. Host keys
 * are checked against known_hosts before authentication completes.
 */
export class SshConnection {
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  lastPresentedKey: PresentedHostKey | null = null;

  constructor(private readonly settings: SshSettings) {}

  get port(): number {
    return this.settings.port ?? 22;
  }

  async get(): Promise<Client> {
    if (this.client) return this.client;
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async open(): Promise<Client> {
    const { settings } = this;
    const knownHosts = await readKnownHosts(settings.knownHostsFile);
    let privateKey = settings.privateKey;
    if (!privateKey && settings.identityFile) {
      const { readFile } = await import('node:fs/promises');
      privateKey = await readFile(settings.identityFile);
    }
    if (!privateKey)
      throw new OrchaError('invalid_argument', 'an SSH target needs a private key (identity file)');
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
        if (verdict.ok) return true;
        this.lastPresentedKey = { keyType: keyTypeOf(key), key, fingerprint: fingerprint(key) };
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
    client.on('error', () => {});
    client.once('close', () => {
      if (this.client === client) this.client = null;
    });
    this.client = client;
    return client;
  }

  /** Opens an exec channel (with a pseudo-terminal when asked). */
  async exec(
    command: string,
    options: { pty?: { cols: number; rows: number } | undefined } = {},
  ): Promise<ClientChannel> {
    const client = await this.get();
    return new Promise((resolve, reject) => {
      const ptyOptions = options.pty
        ? { pty: { term: 'xterm-256color', cols: options.pty.cols, rows: options.pty.rows } }
        : {};
      client.exec(command, ptyOptions, (error, channel) => {
        if (error) reject(new OrchaError('unavailable', `ssh channel: ${error.message}`));
        else resolve(channel);
      });
    });
  }

  close(): void {
    this.client?.end();
    this.client = null;
  }
}
