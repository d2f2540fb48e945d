import { fileURLToPath } from 'node:url';
import { type IdGenerator, OrchaError } from '@orcha/model';
import type Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import pgDriver from 'pg';
import { createContext, type StoreContext } from '../database.js';
import * as schema from '../schema.js';
import { type PgError, SyncPg } from './bridge.js';
import { pgClient } from './client.js';

const migrationsFolder = fileURLToPath(new URL('../../drizzle-pg', import.meta.url));

/**
 * Advisory lock keys (any 64-bit numbers of orcha's own). Every write transaction takes the writer lock, so
 * writers run one at a time across every process on the database — SQLite's IMMEDIATE transactions, and what
 * makes event ids commit in id order: a reader past event N never later finds an N-1 committed behind it.
 */
const writerLockKey = 7_301_960_114;
const migrationLockKey = 7_301_960_115;
const ownerLockKey = 7_301_960_116;

/** `postgres://user:secret@host/db` as it may be shown: without the password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'an unparsable PostgreSQL URL';
  }
}

/**
 * Applies the checked-in PostgreSQL migrations (`drizzle-pg/`) not yet applied, in one transaction under an
 * advisory lock, so replicas starting together migrate once. Bookkeeping is drizzle's own table
 * (`drizzle.__drizzle_migrations`), so drizzle-kit sees the same history.
 */
export function migratePostgres(pg: SyncPg): void {
  const migrations = readMigrationFiles({ migrationsFolder });
  pg.query(`BEGIN; SELECT pg_advisory_xact_lock(${migrationLockKey})`);
  try {
    pg.query(
      `CREATE SCHEMA IF NOT EXISTS drizzle;
       CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`,
    );
    const last = pg.query(
      'SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1',
    ).rows[0] as { created_at: number } | undefined;
    for (const migration of migrations) {
      if (last && last.created_at >= migration.folderMillis) continue;
      for (const statement of migration.sql) if (statement.trim()) pg.query(statement);
      pg.query('INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ($1, $2)', [
        migration.hash,
        migration.folderMillis,
      ]);
    }
    pg.query('COMMIT');
  } catch (error) {
    rollback(pg);
    throw error;
  }
}

function rollback(pg: SyncPg): void {
  try {
    pg.query('ROLLBACK');
  } catch {
    // The connection is gone: PostgreSQL rolls the transaction back itself.
  }
}

/**
 * Opens (and migrates) orcha's store on PostgreSQL: the same queries as on SQLite (through `pgClient`), each
 * write one transaction holding the writer lock. `exclusive` takes the database for this process alone (a
 * session-level advisory lock, released when the connection ends, a crash included): `conflict` if another
 * holds it.
 */
export function openPostgres(options: {
  url: string;
  clock: () => number;
  ids: IdGenerator;
  timeoutMs?: number;
  exclusive?: boolean;
}): StoreContext {
  // The hold is taken on every connection, a reconnection included: losing it to another serve ends the store.
  const pg = new SyncPg({
    url: options.url,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.exclusive ? { setup: [`SELECT pg_try_advisory_lock(${ownerLockKey}) AS ok`] } : {}),
  });
  try {
    migratePostgres(pg);
  } catch (error) {
    pg.close();
    if ((error as PgError).final)
      throw new OrchaError(
        'conflict',
        `another orcha serve holds the database ${redactUrl(options.url)}: one serve per database until replicas exist (docs/SCALING.md)`,
      );
    throw new OrchaError(
      'unavailable',
      `cannot open the store on ${redactUrl(options.url)}: ${(error as PgError).message}`,
    );
  }
  const sqlite = pgClient(pg);
  const ctx = createContext({
    sqlite,
    dialect: 'postgres',
    // drizzle's SQLite session needs only `prepare` from its client, which `pgClient` provides.
    db: drizzle(sqlite as unknown as Database.Database, { schema }),
    clock: options.clock,
    ids: options.ids,
    inTransaction<T>(work: () => T): T {
      pg.query(`BEGIN; SELECT pg_advisory_xact_lock(${writerLockKey})`);
      let result: T;
      try {
        result = work();
      } catch (error) {
        rollback(pg);
        throw error;
      }
      pg.query('COMMIT');
      return result;
    },
    sharedFeed: true,
    close: () => {
      feed.close();
      pg.close();
    },
  });
  const feed = listenForEvents(options.url, () => {
    try {
      ctx.catchUp();
    } catch {
      // The store's connection is down: its next call says so; the next notification catches up.
    }
  });
  return ctx;
}

/**
 * Wakes `wake` whenever any process commits events (LISTEN `orcha_events`, which the events table's trigger
 * notifies), on a connection of its own, async in this thread: it never blocks, and does not keep the
 * process alive. A lost connection is made again after a second, then `wake` catches up what it missed.
 */
function listenForEvents(url: string, wake: () => void): { close(): void } {
  let closed = false;
  let client: pgDriver.Client | null = null;
  let retry: NodeJS.Timeout | undefined;
  let scheduled = false;
  const soon = () => {
    if (scheduled || closed) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (!closed) wake();
    });
  };
  const connect = () => {
    const next = new pgDriver.Client({ connectionString: url, application_name: 'orcha-feed' });
    client = next;
    next.on('notification', soon);
    next.on('error', () => {}); // 'end' follows, and reconnects
    next.on('end', () => {
      if (closed) return;
      retry = setTimeout(connect, 1_000);
      retry.unref();
    });
    next
      .connect()
      .then(() => {
        (next as unknown as { connection: { stream: { unref(): void } } }).connection.stream.unref();
        return next.query('LISTEN orcha_events');
      })
      .then(soon, () => void next.end().catch(() => {}));
  };
  connect();
  return {
    close() {
      closed = true;
      clearTimeout(retry);
      void client?.end().catch(() => {});
    },
  };
}
