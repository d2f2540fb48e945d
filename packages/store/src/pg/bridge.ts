import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { OrchaError } from '@orcha/model';

/** A query's answer: rows as objects, or as arrays of column values with `rowMode: 'array'`. */
export interface PgResult {
  rows: unknown[];
  rowCount: number;
}

/**
 * An error PostgreSQL answered, with its SQLSTATE code (`40001`, `23505`, …); `final` when a reconnection's
 * setup was refused and the bridge is done.
 */
export class PgError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly final = false,
  ) {
    super(message);
    this.name = 'PgError';
  }
}

/**
 * The worker: one `pg` connection, one query at a time. It answers on the port, then raises the flag the
 * caller waits on. A connection that breaks fails the query in flight (and so its transaction); the next
 * query connects again and first runs the `setup` statements, each of which must answer `ok = true` — else
 * the bridge is done (`final`): what holds a session-level lock must not carry on without it.
 * Plain CommonJS in a string, so the same code runs from the TypeScript sources and the build.
 */
const workerSource = `
const { workerData } = require('node:worker_threads');
const pg = require(workerData.pgPath);
const { port, url, statementTimeoutMs, setup } = workerData;
const flag = new Int32Array(workerData.flag);
const asNumber = (text) => Number(text);
const types = { getTypeParser: (oid, format) => (oid === 20 || oid === 1700 ? asNumber : pg.types.getTypeParser(oid, format)) };
let client = null;
let lost = null;
async function connect() {
  // Server-side keepalives: a dead client (a crashed host) ends its backend, and any hold it had, in ~25 s.
  const next = new pg.Client({ connectionString: url, types, statement_timeout: statementTimeoutMs, application_name: 'orcha',
    options: '-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3' });
  next.on('error', (error) => { if (client === next) lost = error; });
  next.on('end', () => { if (client === next && !lost) lost = new Error('the connection ended'); });
  await next.connect();
  for (const statement of setup) {
    const answer = await next.query(statement);
    if (!answer.rows[0] || answer.rows[0].ok !== true) {
      await next.end();
      const error = new Error('refused on connect: ' + statement);
      error.final = true;
      throw error;
    }
  }
  client = next;
  lost = null;
}
let answering = 0;
const reply = (message) => {
  port.postMessage({ ...message, id: answering });
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
};
port.on('message', async (request) => {
  answering = request.id;
  try {
    if (request.close) {
      if (client) await client.end().catch(() => {});
      reply({ ok: true, rows: [], rowCount: 0 });
      port.close();
      return;
    }
    if (!client || lost) {
      const gone = client;
      client = null;
      if (gone) gone.end().catch(() => {});
      await connect();
    }
    const result = await client.query({ text: request.text, values: request.params, rowMode: request.rowMode });
    const last = Array.isArray(result) ? result[result.length - 1] : result;
    reply({ ok: true, rows: last.rows, rowCount: last.rowCount ?? 0 });
  } catch (error) {
    // No SQLSTATE: the connection failed, not the statement; the next query connects again.
    if (client && !(error && error.code)) lost = error;
    reply({ ok: false, message: String(error && error.message || error), code: error && error.code, final: Boolean(error && error.final) });
  }
});
`;

export interface SyncPgOptions {
  url: string;
  /** How long one query may take before the caller gives up (and the bridge with it). */
  timeoutMs?: number;
  /** Run on every (re)connection; each must answer one row with `ok = true`, or the bridge is done. */
  setup?: string[];
}

/**
 * PostgreSQL, synchronously: the async `pg` driver runs in a worker thread on its own connection; the caller
 * posts a query and blocks in `Atomics.wait` until the worker raises the flag, then takes the answer with
 * `receiveMessageOnPort`. This keeps the store's ports synchronous, like better-sqlite3's.
 */
export class SyncPg {
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private readonly port;
  private readonly worker: Worker;
  private readonly timeoutMs: number;
  private broken: string | null = null;
  /** Each request's number, echoed by its answer. */
  private sequence = 0;
  /** Never written: waiting on it is a short sleep. */
  private readonly pause = new Int32Array(new SharedArrayBuffer(4));

  constructor(options: SyncPgOptions) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(workerSource, {
      eval: true,
      workerData: {
        port: port2,
        flag: this.flag.buffer,
        url: options.url,
        statementTimeoutMs: this.timeoutMs,
        setup: options.setup ?? [],
        pgPath: createRequire(import.meta.url).resolve('pg'),
      },
      transferList: [port2],
    });
    this.worker.unref();
  }

  /** Runs one statement (or, without params, several separated by `;`) and answers the last one's rows. */
  query(text: string, params: readonly unknown[] = [], rowMode?: 'array'): PgResult {
    return this.call({ text, params, rowMode });
  }

  close(): void {
    if (this.broken === null) {
      try {
        this.call({ close: true });
      } catch {
        // Closing a connection that is already gone: nothing left to release but the thread.
      }
    }
    this.broken = 'closed';
    void this.worker.terminate();
  }

  private call(request: object): PgResult {
    if (this.broken !== null) throw new OrchaError('unavailable', `PostgreSQL connection ${this.broken}`);
    const id = ++this.sequence;
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage({ ...request, id });
    const deadline = performance.now() + this.timeoutMs + 5_000;
    const timedOut = () => {
      this.broken = 'timed out';
      return new OrchaError('unavailable', `PostgreSQL did not answer within ${this.timeoutMs} ms`);
    };
    if (Atomics.wait(this.flag, 0, 0, this.timeoutMs + 5_000) === 'timed-out') throw timedOut();
    // The raised flag can be seen before the message it follows is (another thread posted it): look again
    // after short pauses. Answers are matched by number, so one can never be taken for the next query's.
    let answer:
      | { id: number; ok: true; rows: unknown[]; rowCount: number }
      | { id: number; ok: false; message: string; code?: string; final: boolean }
      | undefined;
    while (answer?.id !== id) {
      answer = receiveMessageOnPort(this.port)?.message as typeof answer;
      if (answer) continue;
      if (performance.now() > deadline) throw timedOut();
      Atomics.wait(this.pause, 0, 0, 1);
    }
    if (!answer.ok) {
      if (answer.final) this.broken = answer.message;
      throw new PgError(answer.message, answer.code, answer.final);
    }
    return answer;
  }
}
