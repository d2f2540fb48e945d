import { fileURLToPath } from 'node:url';
import {
  describeIssues,
  type EventData,
  eventDataSchema,
  type IdGenerator,
  OrchaError,
  type OrchaEvent,
} from '@orcha/model';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { z } from 'zod';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema>;

const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));

/** A prepared statement: the part of better-sqlite3's `Statement` the store and drizzle use. */
export interface SqlStatement {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  /** Rows as arrays of column values. */
  raw(toggle?: boolean): this;
  /** Only the first column of each row. */
  pluck(toggle?: boolean): this;
}

/** The SQL client the store talks to: better-sqlite3 itself, or its PostgreSQL stand-in (`pg/client.ts`). */
export interface SqlClient {
  prepare(sql: string): SqlStatement;
  exec(sql: string): void;
}

/** What every part of the store shares: the connection, the clock, ids, and the transaction helper. */
/** Who committed a batch of events: this process, or another one on the same database (PostgreSQL replicas). */
export type EventOrigin = 'this-process' | 'another-process';
/** Hears every committed batch of events, in commit order. */
export type EventListener = (events: OrchaEvent[], origin: EventOrigin) => void;

export interface StoreContext {
  /** The SQL client (named for the embedded engine; on PostgreSQL it speaks PostgreSQL). */
  sqlite: SqlClient;
  /** The engine, where a query must be spelled per engine (SQLite's JSON functions, `rowid`). */
  dialect: 'sqlite' | 'postgres';
  db: Db;
  clock: () => number;
  ids: IdGenerator;
  /**
   * Runs `work` in one transaction that excludes every other writer (SQLite: IMMEDIATE; PostgreSQL: one
   * advisory lock). Events passed to `emit` are written in that same transaction and announced to
   * subscribers only after it commits; if `work` throws, nothing is written or announced.
   */
  write<T>(work: (emit: (event: EventData) => void) => T): T;
  subscribe(listener: EventListener): () => void;
  /**
   * Fences this process's writes with a lease token (`null`: none, the default): from now on every write
   * transaction first renews the `scheduler` lease for `leaseMs` if it still carries this token — a leader
   * busy writing stays the leader — and fails with `conflict`, writing nothing, once another holder took it.
   */
  fence(fence: { token: number; leaseMs: number } | null): void;
  /**
   * On a database other processes write too (PostgreSQL): announces to subscribers the events committed since
   * the last one announced, read from the events table (the truth and the cursor). A no-op on SQLite.
   */
  catchUp(): void;
  close(): void;
}

export function openDatabase(options: {
  path: string;
  clock: () => number;
  ids: IdGenerator;
  busyTimeoutMs?: number;
}): StoreContext {
  const sqlite = new Database(options.path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5_000))}`);
  sqlite.pragma('foreign_keys = ON');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });
  // One transaction function for every write, built once: better-sqlite3 wraps it in BEGIN IMMEDIATE/COMMIT.
  const transaction = sqlite.transaction((work: () => unknown) => work());
  return createContext({
    sqlite,
    dialect: 'sqlite',
    db,
    clock: options.clock,
    ids: options.ids,
    inTransaction: <T>(work: () => T) => transaction.immediate(work) as T,
    close: () => sqlite.close(),
  });
}

/**
 * The engine-independent half of a store context: events written inside the caller's transaction and
 * announced after it commits, nested writes joining the outer transaction, and the subscribers.
 */
export function createContext(engine: {
  sqlite: SqlClient;
  dialect: StoreContext['dialect'];
  db: Db;
  clock: () => number;
  ids: IdGenerator;
  /** Runs `work` in one writer-exclusive transaction: committed when it returns, rolled back when it throws. */
  inTransaction<T>(work: () => T): T;
  /**
   * Other processes write this database and subscribers hear their events too (PostgreSQL). Event ids commit
   * in id order there (the writer lock), so one cursor tells what is left to announce.
   */
  sharedFeed?: boolean;
  close(): void;
}): StoreContext {
  const listeners = new Set<EventListener>();
  const insertEvent = engine.sqlite.prepare(
    'INSERT INTO events (at, type, objective_id, session_id, data) VALUES (?, ?, ?, ?, ?) RETURNING id',
  );
  const eventsBetween = engine.sqlite.prepare(
    'SELECT id, at, data FROM events WHERE id > ? AND id < ? ORDER BY id LIMIT 1000',
  );
  const renewLease = engine.sqlite.prepare(
    "UPDATE leases SET expires_at = ? WHERE name = 'scheduler' AND token = ? AND expires_at < ?",
  );
  const leaseToken = engine.sqlite.prepare("SELECT token FROM leases WHERE name = 'scheduler'");
  let fence: { token: number; leaseMs: number } | null = null;
  const checkFence = () => {
    if (fence === null) return;
    const until = engine.clock() + fence.leaseMs;
    // Renewed at most once per tenth of the lease; the token is read when it is not.
    if (renewLease.run(until, fence.token, until - fence.leaseMs / 10).changes === 1) return;
    const held = leaseToken.get() as { token: number } | undefined;
    if (Number(held?.token) !== fence.token)
      throw new OrchaError(
        'conflict',
        `this replica no longer leads (lease token ${fence.token}, now ${held?.token ?? 'none'}): it writes nothing more`,
      );
  };
  let depth = 0;
  let pending: OrchaEvent[] = [];
  // The last event announced to subscribers (shared feed only).
  let cursor = engine.sharedFeed
    ? ((engine.sqlite.prepare('SELECT coalesce(max(id), 0) AS id FROM events').get() as { id: number }).id ??
      0)
    : 0;

  const announce = (events: OrchaEvent[], origin: EventOrigin) => {
    if (!events.length) return;
    cursor = events[events.length - 1]!.id;
    for (const listener of listeners) listener(events, origin);
  };

  /** Announces what other processes committed after the cursor and before the id `before`. */
  const catchUp = (before = Number.MAX_SAFE_INTEGER) => {
    if (!engine.sharedFeed || depth > 0) return;
    for (;;) {
      const rows = eventsBetween.all(cursor, before) as { id: number; at: number; data: string }[];
      announce(rows.map(parseEvent), 'another-process');
      if (rows.length < 1000) return;
    }
  };

  const emit = (event: EventData) => {
    const at = engine.clock();
    const objectiveId = 'objectiveId' in event ? event.objectiveId : null;
    const sessionId = 'sessionId' in event ? event.sessionId : null;
    const row = insertEvent.get(at, event.type, objectiveId, sessionId, JSON.stringify(event)) as {
      id: number;
    };
    pending.push({ ...event, id: row.id, at });
  };

  const write = <T>(work: (emit: (event: EventData) => void) => T): T => {
    if (depth > 0) return work(emit);
    depth++;
    let result: T;
    try {
      result = engine.inTransaction(() => {
        checkFence();
        return work(emit);
      });
    } catch (error) {
      pending = [];
      throw error;
    } finally {
      depth--;
    }
    const committed = pending;
    pending = [];
    if (committed.length) {
      // Another process's events committed before ours are announced first, in id order.
      if (engine.sharedFeed && committed[0]!.id > cursor + 1) catchUp(committed[0]!.id);
      announce(committed, 'this-process');
    }
    return result;
  };

  return {
    sqlite: engine.sqlite,
    dialect: engine.dialect,
    db: engine.db,
    clock: engine.clock,
    ids: engine.ids,
    write,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    fence(next) {
      fence = next;
    },
    catchUp: () => catchUp(),
    close: engine.close,
  };
}

/** Parses outside input with a zod schema; failures become `invalid_argument` before anything is written. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new OrchaError('invalid_argument', `${what}: ${describeIssues(parsed.error.issues)}`);
  return parsed.data;
}

/** Parses a stored JSON column through its schema: a corrupt row is an internal error, never silently used. */
export function parseColumn<S extends z.ZodType>(schema: S, text: string | null, what: string): z.infer<S> {
  const parsed = schema.safeParse(text === null ? null : JSON.parse(text));
  if (!parsed.success)
    throw new OrchaError('internal', `stored ${what} is invalid: ${describeIssues(parsed.error.issues)}`);
  return parsed.data;
}

export function parseEvent(row: { id: number; at: number; data: string }): OrchaEvent {
  return { ...parseColumn(eventDataSchema, row.data, 'event'), id: row.id, at: row.at };
}
