// `pnpm bench store`: the store against raw better-sqlite3 on the same machine, in the same run.
//  - transcript ingest through the store vs raw batched inserts (ingest_ratio = store rate / raw rate)
//  - dashboard summary p99 with 1,000 sessions and 1,000,000 transcript rows vs with 0 rows
//  - a 100-message page from a 1,000,000-row table vs a raw indexed SELECT
// With `-- --database postgres` (a throwaway server) or `-- --database postgres://…`, the same figures on
// PostgreSQL beside SQLite's, single operations on both, and the synchronous bridge's round trip.
// Last line: {"bench":"store",…} (with a `postgres` member when asked).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdGenerator } from '@orcha/model';
import { createStore, type Store } from '@orcha/store';
import Database from 'better-sqlite3';
import { benchPostgres, operations } from './_store-postgres.ts';

const databaseFlag = process.argv.indexOf('--database');
const database = databaseFlag === -1 ? null : (process.argv[databaseFlag + 1] ?? '');
if (database !== null && !/^postgres(ql)?(:\/\/\S+)?$/.test(database)) {
  console.error('--database takes postgres (a throwaway server) or a postgres:// URL');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'orcha-bench-store-'));
const ids = createIdGenerator(Date.now, () => Math.floor(Math.random() * 32));
const open = (name: string) => createStore({ path: join(dir, `${name}.db`), clock: Date.now, ids });
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;
const text = 'the agent wrote a line of output while working on the task, about this long';

function seedSessions(store: Store, count: number): string[] {
  const sessions: string[] = [];
  for (let o = 0; o < count / 20; o++) {
    const { objective, manager } = store.createObjective({
      title: `objective ${o}`,
      prompt: 'work',
      agent: 'fake',
    });
    sessions.push(manager.id);
    for (let w = 0; w < 19; w++) {
      sessions.push(
        store.createSession({
          objectiveId: objective.id,
          parentId: manager.id,
          role: 'worker',
          agent: 'fake',
          title: `worker ${w}`,
          prompt: 'p',
        }).id,
      );
    }
  }
  return sessions;
}

/**
 * Raw rows straight into the transcript table, to build the 1M-row case quickly; the sessions get the count
 * and activity line the store itself would have written for those rows.
 */
function seedTranscript(path: string, sessions: string[], rows: number): void {
  const db = new Database(path);
  const insert = db.prepare(
    'INSERT INTO transcript_messages (session_id, seq, at, kind, text, data) VALUES (?, ?, ?, ?, ?, NULL)',
  );
  const perSession = Math.ceil(rows / sessions.length);
  db.transaction(() => {
    for (const session of sessions)
      for (let seq = 1; seq <= perSession; seq++) insert.run(session, seq, seq, 'assistant', text);
  })();
  db.prepare('UPDATE sessions SET message_count = ?, last_activity = ?').run(perSession, text);
  db.close();
}

const median = (values: number[]) => percentile(values, 0.5);

/**
 * Store and raw ingest the same rows (same session id, seq, at, kind, text, data) in batches of 100, each into
 * its own WAL database. Both are warmed up first, and their rounds alternate so that load from elsewhere on
 * the machine falls on both alike; each side's rate is the median of its rounds.
 */
function ingest(): { store: number; raw: number } {
  const batch = 100;
  const rounds = 20;
  const perRound = 10_000;
  const store = open('ingest');
  const { manager } = store.createObjective({ title: 'ingest', prompt: '', agent: 'fake' });
  const chunk = Array.from({ length: batch }, (_, i) => ({
    at: i,
    kind: 'assistant' as const,
    text,
    data: null,
  }));

  const raw = new Database(join(dir, 'raw.db'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.exec(
    'CREATE TABLE t (session_id TEXT NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL, data TEXT, PRIMARY KEY (session_id, seq)) WITHOUT ROWID',
  );
  const insert = raw.prepare('INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)');
  const insertBatch = raw.transaction((from: number) => {
    for (let i = 0; i < batch; i++) {
      const message = chunk[i]!;
      insert.run(manager.id, from + i, message.at, message.kind, message.text, message.data);
    }
  });
  let rawSeq = 1;

  const storeRound = (messages: number) => {
    const start = performance.now();
    for (let i = 0; i < messages / batch; i++) store.appendMessages(manager.id, chunk);
    return messages / ((performance.now() - start) / 1000);
  };
  const rawRound = (messages: number) => {
    const start = performance.now();
    for (let i = 0; i < messages / batch; i++, rawSeq += batch) insertBatch(rawSeq);
    return messages / ((performance.now() - start) / 1000);
  };
  storeRound(5_000);
  rawRound(5_000);
  const storeRates: number[] = [];
  const rawRates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    storeRates.push(storeRound(perRound));
    rawRates.push(rawRound(perRound));
  }
  store.close();
  raw.close();
  return { store: median(storeRates), raw: median(rawRates) };
}

/** Times the two stores' summaries call by call, alternating which goes first, so both see the same noise. */
function dashboard(empty: Store, full: Store, runs: number): { empty: number[]; full: number[] } {
  for (let i = 0; i < 50; i++) {
    empty.dashboardSummary();
    full.dashboardSummary();
  }
  const times = { empty: [] as number[], full: [] as number[] };
  const time = (store: Store, into: number[]) => {
    const start = performance.now();
    store.dashboardSummary();
    into.push(performance.now() - start);
  };
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      time(empty, times.empty);
      time(full, times.full);
    } else {
      time(full, times.full);
      time(empty, times.empty);
    }
  }
  return times;
}

const ingested = ingest();
console.log(
  `ingest: store ${Math.round(ingested.store)} msg/s, raw batched ${Math.round(ingested.raw)} msg/s`,
);

const empty = open('empty');
seedSessions(empty, 1_000);
const full = open('full');
const fullSessions = seedSessions(full, 1_000);
full.close();
seedTranscript(join(dir, 'full.db'), fullSessions, 1_000_000);
const fullStore = open('full');
const { empty: emptyTimes, full: fullTimes } = dashboard(empty, fullStore, 2_000);
const emptyP99 = percentile(emptyTimes, 0.99);
const fullP99 = percentile(fullTimes, 0.99);
console.log(
  `dashboard p99 (p50): ${fullP99.toFixed(2)} (${percentile(fullTimes, 0.5).toFixed(2)}) ms with 1,000,000 transcript rows, ${emptyP99.toFixed(2)} (${percentile(emptyTimes, 0.5).toFixed(2)}) ms with none (1,000 sessions)`,
);

const raw = new Database(join(dir, 'full.db'), { readonly: true });
const rawPage = raw.prepare(
  'SELECT session_id, seq, at, kind, text, data FROM transcript_messages WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT 100',
);
const pageStore: number[] = [];
const pageRaw: number[] = [];
for (let i = 0; i < 2_000; i++) {
  const session = fullSessions[i % fullSessions.length]!;
  const after = (i * 37) % 900;
  let start = performance.now();
  fullStore.listMessages(session, { after, limit: 100 });
  pageStore.push(performance.now() - start);
  start = performance.now();
  rawPage.all(session, after);
  pageRaw.push(performance.now() - start);
}
raw.close();
const pageStoreP50 = percentile(pageStore, 0.5);
const pageRawP50 = percentile(pageRaw, 0.5);
console.log(
  `100-message page: store p50 ${pageStoreP50.toFixed(3)} ms, raw p50 ${pageRawP50.toFixed(3)} ms (1,000,000 rows)`,
);
empty.close();
fullStore.close();

let postgres: Awaited<ReturnType<typeof benchPostgres>> | null = null;
let sqliteOperations: Record<string, number> | null = null;
if (database !== null) {
  const opsStore = open('ops');
  sqliteOperations = operations(opsStore);
  opsStore.close();
  postgres = await benchPostgres(database.includes('://') ? database : null, seedSessions);
  const rows: [string, number, number][] = [
    ['ingest msg/s (batches of 100)', Math.round(ingested.store), postgres.ingest_store_per_s],
    ['dashboard p99 ms (1,000 sessions, 1M rows)', fullP99, postgres.dashboard_p99_ms],
    ['dashboard p50 ms', percentile(fullTimes, 0.5), postgres.dashboard_p50_ms],
    ['100-message page p50 ms', pageStoreP50, postgres.page_store_p50_ms],
    ...Object.entries(sqliteOperations).map(
      ([name, value]) =>
        [name.replace(/_/g, ' '), value, postgres!.operations[name]!] as [string, number, number],
    ),
  ];
  console.log('\n                                              SQLite   PostgreSQL');
  for (const [name, lite, post] of rows)
    console.log(
      `${name.padEnd(44)} ${String(Number(lite.toFixed(3))).padStart(8)} ${String(post).padStart(12)}`,
    );
  console.log(
    `bridge: SELECT 1 p50 ${postgres.bridge_roundtrip_p50_ms} ms synchronous (worker thread + Atomics.wait), ${postgres.async_roundtrip_p50_ms} ms awaited directly`,
  );
  console.log(
    `feed: a commit on one store heard by another's subscriber p50 ${postgres.feed_cross_store_p50_ms} ms, p99 ${postgres.feed_cross_store_p99_ms} ms (LISTEN/NOTIFY)`,
  );
}
rmSync(dir, { recursive: true, force: true });

console.log(
  JSON.stringify({
    bench: 'store',
    ingest_ratio: Number((ingested.store / ingested.raw).toFixed(3)),
    ingest_store_per_s: Math.round(ingested.store),
    ingest_raw_per_s: Math.round(ingested.raw),
    dashboard_ratio: Number((fullP99 / emptyP99).toFixed(3)),
    dashboard_p99_ms: Number(fullP99.toFixed(3)),
    dashboard_empty_p99_ms: Number(emptyP99.toFixed(3)),
    dashboard_p50_ms: Number(percentile(fullTimes, 0.5).toFixed(3)),
    dashboard_empty_p50_ms: Number(percentile(emptyTimes, 0.5).toFixed(3)),
    page_ratio: Number((pageStoreP50 / pageRawP50).toFixed(3)),
    page_store_p50_ms: Number(pageStoreP50.toFixed(4)),
    page_raw_p50_ms: Number(pageRawP50.toFixed(4)),
    ...(postgres ? { sqlite_operations: sqliteOperations, postgres } : {}),
  }),
);
