import { connect } from 'node:net';
import { OrchaError } from '@orcha/model';
import type { Client } from 'ssh2';
import type { SshConnection } from './connection.js';

/** Where a reverse tunnel leads on this (orcha's) side. */
export interface TunnelEnd {
  host: string;
  port: number;
}

/** A reverse tunnel as it stands: the target's loopback port that leads to orcha, and its traffic so far. */
export interface ReverseTunnelState {
  /** Always the target's loopback: the tunnel is never reachable from the target's network. */
  remoteHost: '127.0.0.1';
  remotePort: number;
  /** TCP connections the tunnel has carried to orcha since it was first opened. */
  carried: number;
}

const firstRetryMs = 250;
const maxRetryMs = 30_000;

const forwardIn = (client: Client, port: number) =>
  new Promise<number>((resolve, reject) =>
    client.forwardIn('127.0.0.1', port, (error, bound) => (error ? reject(error) : resolve(bound || port))),
  );

/**
 * SSH remote forwarding (`ssh -R 127.0.0.1:<port>:<to>`) on a target's pooled connection: programs on the
 * target reach `to` on orcha's machine through `127.0.0.1:<remotePort>` there, without orcha listening on
 * any network. When the carrying connection drops, the tunnel is opened again (on the same remote port
 * when it is still free) with growing pauses between attempts, until `close()`.
 */
export class ReverseTunnel {
  private remotePort: number | null = null;
  private carrier: Client | null = null;
  private opening: Promise<number> | null = null;
  private retry: NodeJS.Timeout | null = null;
  private retryMs = firstRetryMs;
  private closed = false;
  private carried = 0;

  constructor(
    private readonly connection: SshConnection,
    private readonly to: TunnelEnd,
    /** The remote port asked for first; 0 lets the server choose. */
    private readonly preferredPort = 0,
  ) {}

  /** The tunnel, opened when it is not open now. */
  async ensure(): Promise<ReverseTunnelState> {
    if (this.closed) throw new OrchaError('unavailable', 'the SSH connection is closed');
    if (!this.carrier || this.remotePort === null) {
      this.opening ??= this.open().finally(() => {
        this.opening = null;
      });
      await this.opening;
    }
    return this.state()!;
  }

  /** The tunnel now, or null while it is not open. */
  state(): ReverseTunnelState | null {
    if (!this.carrier || this.remotePort === null) return null;
    return { remoteHost: '127.0.0.1', remotePort: this.remotePort, carried: this.carried };
  }

  private async open(): Promise<number> {
    let dropped = false;
    const client = await this.connection.anyClient(() => {
      dropped = true;
      if (this.carrier === client) this.lost();
    });
    const wanted = this.remotePort ?? this.preferredPort;
    let port: number;
    try {
      port = await forwardIn(client, wanted);
    } catch (error) {
      if (wanted === 0)
        throw new OrchaError(
          'unavailable',
          `the target refused remote forwarding: ${(error as Error).message}`,
        );
      // The port we had (or wanted) is taken on the target now: take any other.
      port = await forwardIn(client, 0).catch((again: Error) => {
        throw new OrchaError('unavailable', `the target refused remote forwarding: ${again.message}`);
      });
    }
    client.on('tcp connection', (details, accept, reject) => {
      if (details.destPort !== port) return;
      if (this.closed) return reject();
      const stream = accept();
      const socket = connect({ host: this.to.host, port: this.to.port });
      this.carried++;
      stream.pipe(socket).pipe(stream);
      const end = () => {
        socket.destroy();
        stream.destroy();
      };
      socket.once('error', end);
      stream.once('error', end);
      socket.once('close', end);
      stream.once('close', end);
    });
    if (dropped || this.closed) {
      if (!dropped) client.unforwardIn('127.0.0.1', port);
      throw new OrchaError('unavailable', 'the SSH connection closed while the tunnel was opened');
    }
    this.remotePort = port;
    this.carrier = client;
    this.retryMs = firstRetryMs;
    return port;
  }

  /** The carrying connection dropped: open the tunnel again on a fresh one, backing off while that fails. */
  private lost(): void {
    this.carrier = null;
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.closed) return;
      this.ensure().catch(() => {
        this.retryMs = Math.min(this.retryMs * 2, maxRetryMs);
        this.lost();
      });
    }, this.retryMs);
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    if (this.carrier && this.remotePort !== null) {
      try {
        this.carrier.unforwardIn('127.0.0.1', this.remotePort);
      } catch {
        // the connection is closing anyway
      }
    }
    this.carrier = null;
  }
}
