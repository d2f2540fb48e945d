import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdGenerator } from '@orcha/model';
import Database from 'better-sqlite3';
import { inject } from 'vitest';
import { createStore, type Store } from '../src/index.js';
import { SyncPg } from '../src/pg/bridge.js';
import { toPostgresSql } from '../src/pg/client.js';

/**
 * The engine this run tests: SQLite (the `store` project), or PostgreSQL (the `store-postgres` project,
 * whose global setup starts a real server). Every test of the suite runs on both.
 */
export const engine: 'sqlite' | 'postgres' =
  process.env.ORCHA_STORE_ENGINE === 'postgres' ? 'postgres' : 'sqlite';

/** Where a test store lives: what `createStore` takes to open it (again). */
export type StoreLocation = { path: string } | { url: string };

let admin: SyncPg | null = null;

/** A fresh database on the suite's PostgreSQL server, dropped by the returned function. */
function freshPostgresDatabase(): { url: string; drop(): void } {
  const server = inject('postgres');
  if (!server.ok) throw new Error(`no PostgreSQL server: ${server.reason}`);
  admin ??= new SyncPg({ url: server.url });
  const name = `store_${process.pid}_${randomBytes(4).toString('hex')}`;
  admin.query(`CREATE DATABASE ${name} TEMPLATE store_template`);
  return {
    url: server.url.replace(/\/postgres$/, `/${name}`),
    drop: () => void admin?.query(`DROP DATABASE ${name} WITH (FORCE)`),
  };
}

/** A real store on the engine under test (a SQLite file in a temp dir, or a fresh PostgreSQL database). */
export function openTestStore(): {
  store: Store;
  /** The SQLite file (SQLite runs only). */
  path: string;
  location: StoreLocation;
  clock: { now: number };
  /** Reads the database directly, around the store (for checks the store does not expose). */
  query(sql: string, params?: unknown[]): Record<string, unknown>[];
  /**
   * The engine's plan for a query, as one text: SQLite's `EXPLAIN QUERY PLAN` details, or PostgreSQL's
   * `EXPLAIN` with sequential scans disabled (on a few rows it would rightly prefer one; this asks whether
   * an index serves the query at all).
   */
  explain(sql: string, params?: unknown[]): string;
  cleanup(): void;
} {
  const clock = { now: 1_700_000_000_000 };
  let seed = 1;
  const ids = createIdGenerator(
    () => clock.now,
    () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % 32;
    },
  );
  if (engine === 'postgres') {
    const database = freshPostgresDatabase();
    const store = createStore({ url: database.url, clock: () => clock.now, ids });
    let raw: SyncPg | null = null;
    const query = (sql: string, params: unknown[] = []) => {
      raw ??= new SyncPg({ url: database.url });
      return raw.query(toPostgresSql(sql), params).rows as Record<string, unknown>[];
    };
    return {
      store,
      path: '',
      location: { url: database.url },
      clock,
      query,
      explain(sql, params = []) {
        query('SET enable_seqscan = off');
        return query(`EXPLAIN ${sql}`, params)
          .map((row) => row['QUERY PLAN'])
          .join(' | ');
      },
      cleanup() {
        store.close();
        raw?.close();
        database.drop();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'orcha-store-'));
  const path = join(dir, 'orcha.db');
  const store = createStore({ path, clock: () => clock.now, ids });
  const query = (sql: string, params: unknown[] = []) => {
    const raw = new Database(path, { readonly: true });
    try {
      return raw.prepare(sql).all(...params) as Record<string, unknown>[];
    } finally {
      raw.close();
    }
  };
  return {
    store,
    path,
    location: { path },
    clock,
    query,
    explain: (sql, params = []) =>
      query(`EXPLAIN QUERY PLAN ${sql}`, params)
        .map((row) => row.detail)
        .join(' | '),
    cleanup() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
