// The PostgreSQL half of `pnpm bench store -- --database postgres[://…]`: the same store operations as the
// SQLite half, on a real PostgreSQL server (a throwaway one started here unless a URL is given), plus the
// cost of the synchronous bridge itself (a round trip through the worker thread vs the async driver).
import { createIdGenerator } from '@orcha/model';
import { createStore, type Store, SyncPg } from '@orcha/store';
import { startPostgres } from '@orcha/testkit';
import pg from 'pg';

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;
const round = (value: number, digits = 3) => Number(value.toFixed(digits));
const text = 'the agent wrote a line of output while working on the task, about this long';

/** Times `work` `runs` times (after a warm-up), in milliseconds per call. */
function timed(runs: number, work: (i: number) => void): number[] {
  for (let i = 0; i < Math.min(20, runs); i++) work(i);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    work(i);
    times.push(performance.now() - start);
  }
  return times;
}

/** p50 of single store writes and reads on an engine: what every scheduler step and API call pays. */
export function operations(store: Store): Record<string, number> {
  const target = store.createTarget({
    name: `box-${Math.random().toString(36).slice(2, 8)}`,
    kind: 'local',
    workRoot: '/tmp/bench',
    capacitySessions: 1_000,
    status: 'online',
  });
  const managers: string[] = [];
  const create = timed(200, () =>
    managers.push(store.createObjective({ title: 'op', prompt: 'p', agent: 'fake' }).manager.id),
  );
  const claim = timed(200, (i) => store.claimTargetSlot(target.id, managers[i % managers.length]!));
  const status = timed(200, (i) => {
    const id = managers[i % managers.length]!;
    const session = store.getSession(id);
    store.updateSessionStatus(id, session.status === 'queued' ? 'starting' : 'queued');
  });
  const read = timed(500, (i) => store.getSession(managers[i % managers.length]!));
  return {
    create_objective_p50_ms: round(percentile(create, 0.5)),
    claim_slot_p50_ms: round(percentile(claim, 0.5)),
    status_change_p50_ms: round(percentile(status, 0.5)),
    get_session_p50_ms: round(percentile(read, 0.5)),
  };
}

/**
 * The change feed between two stores on one database (two connections, as two processes would have): from a
 * write's commit on one to its event reaching the other's subscriber, woken by LISTEN/NOTIFY.
 */
async function feedLatency(url: string, ids: ReturnType<typeof createIdGenerator>): Promise<number[]> {
  const writer = createStore({ url, clock: Date.now, ids });
  const reader = createStore({ url, clock: Date.now, ids });
  let waiting: { id: number; resolve: () => void } | null = null;
  reader.subscribe((events) => {
    if (waiting && events.some((event) => event.id >= waiting!.id)) waiting.resolve();
  });
  const latencies: number[] = [];
  for (let i = 0; i < 320; i++) {
    const start = performance.now();
    writer.setProviderExhausted('fake', i % 2 ? null : Date.now());
    const id = writer.latestEventId();
    await new Promise<void>((resolve) => {
      waiting = { id, resolve };
    });
    if (i >= 20) latencies.push(performance.now() - start);
  }
  writer.close();
  reader.close();
  return latencies;
}

export interface PostgresFigures {
  ingest_store_per_s: number;
  dashboard_p99_ms: number;
  dashboard_p50_ms: number;
  page_store_p50_ms: number;
  bridge_roundtrip_p50_ms: number;
  async_roundtrip_p50_ms: number;
  feed_cross_store_p50_ms: number;
  feed_cross_store_p99_ms: number;
  operations: Record<string, number>;
}

export async function benchPostgres(
  given: string | null,
  seedSessions: (store: Store, count: number) => string[],
): Promise<PostgresFigures> {
  const server = given ? null : await startPostgres();
  if (server && !server.ok) throw new Error(`PostgreSQL could not start: ${server.reason}`);
  const url = given ?? (await server!.createDatabase());
  const ids = createIdGenerator(Date.now, () => Math.floor(Math.random() * 32));
  try {
    // The bridge: one `SELECT 1` through the worker thread, against the async driver awaited directly.
    const bridge = new SyncPg({ url });
    const bridged = timed(2_000, () => bridge.query('SELECT 1'));
    bridge.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const direct: number[] = [];
    for (let i = 0; i < 2_020; i++) {
      const start = performance.now();
      await client.query('SELECT 1');
      if (i >= 20) direct.push(performance.now() - start);
    }

    const feed = await feedLatency(url, ids);
    const store = createStore({ url, clock: Date.now, ids });
    const ops = operations(store);

    const { manager } = store.createObjective({ title: 'ingest', prompt: '', agent: 'fake' });
    const chunk = Array.from({ length: 100 }, (_, i) => ({
      at: i,
      kind: 'assistant' as const,
      text,
      data: null,
    }));
    const rates: number[] = [];
    for (let r = 0; r < 6; r++) {
      const start = performance.now();
      for (let i = 0; i < 20; i++) store.appendMessages(manager.id, chunk);
      rates.push(2_000 / ((performance.now() - start) / 1000));
    }

    // 1,000 sessions through the store, then 1,000,000 transcript rows written by the server itself.
    const sessions = seedSessions(store, 1_000);
    const perSession = Math.ceil(1_000_000 / sessions.length);
    await client.query(
      `INSERT INTO transcript_messages (session_id, seq, at, kind, text, data)
       SELECT s.id, g, g, 'assistant', $1, NULL FROM sessions s, generate_series(1, $2::int) g
        WHERE s.id = ANY($3::text[])`,
      [text, perSession, sessions],
    );
    await client.query(
      'UPDATE sessions SET message_count = $1, last_activity = $2 WHERE id = ANY($3::text[])',
      [perSession, text, sessions],
    );
    await client.query('VACUUM ANALYZE');
    await client.end();
    const dashboard = timed(1_000, () => store.dashboardSummary());
    const page = timed(2_000, (i) =>
      store.listMessages(sessions[i % sessions.length]!, { after: (i * 37) % 900, limit: 100 }),
    );
    store.close();
    return {
      ingest_store_per_s: Math.round(percentile(rates, 0.5)),
      dashboard_p99_ms: round(percentile(dashboard, 0.99)),
      dashboard_p50_ms: round(percentile(dashboard, 0.5)),
      page_store_p50_ms: round(percentile(page, 0.5), 4),
      bridge_roundtrip_p50_ms: round(percentile(bridged, 0.5), 4),
      async_roundtrip_p50_ms: round(percentile(direct, 0.5), 4),
      feed_cross_store_p50_ms: round(percentile(feed, 0.5)),
      feed_cross_store_p99_ms: round(percentile(feed, 0.99)),
      operations: ops,
    };
  } finally {
    if (server?.ok) await server.stop();
  }
}
