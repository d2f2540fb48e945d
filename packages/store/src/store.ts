import type { IdGenerator } from '@orcha/model';
import { agentSwitchQueries } from './agent-switch.js';
import { dashboardQueries } from './dashboard.js';
import { openDatabase } from './database.js';
import { feedQueries } from './feed.js';
import { inboxQueries } from './inbox.js';
import { lockQueries } from './locks.js';
import { notificationQueries } from './notifications.js';
import { objectiveQueries } from './objectives.js';
import { outputQueries } from './outputs.js';
import { openPostgres } from './pg/database.js';
import type { Store } from './ports.js';
import { pullRequestQueries } from './pull-requests.js';
import { questionQueries } from './questions.js';
import { replicaQueries } from './replicas.js';
import { sessionQueries } from './sessions.js';
import { targetQueries } from './targets.js';
import { transcriptQueries } from './transcripts.js';
import { workspaceQueries } from './workspaces.js';

export type StoreOptions = {
  clock: () => number;
  ids: IdGenerator;
} & (
  | {
      /** The SQLite file; created with its directory's permissions if missing. */
      path: string;
      busyTimeoutMs?: number;
    }
  | {
      /** A PostgreSQL URL (`postgres://user@host:5432/orcha`); its schema is migrated on open. */
      url: string;
      /** How long one query may take. */
      timeoutMs?: number;
      /** This process alone on the database: `conflict` if another holds it (`orcha serve` runs as replicas instead). */
      exclusive?: boolean;
    }
);

/**
 * Opens (and migrates) orcha's database: a SQLite file, or PostgreSQL (the same queries, see `pg/`). Every function validates its input, writes each state change
 * together with its event in one transaction, and announces committed events to `subscribe` listeners.
 */
export function createStore(options: StoreOptions): Store {
  const ctx = 'url' in options ? openPostgres(options) : openDatabase(options);
  const transcripts = transcriptQueries(ctx);
  const store = {
    ...objectiveQueries(ctx),
    ...sessionQueries(ctx),
    ...transcripts,
    ...agentSwitchQueries(ctx, transcripts.appendMessages),
    ...targetQueries(ctx),
    ...lockQueries(ctx),
    ...inboxQueries(ctx),
    ...workspaceQueries(ctx),
    ...pullRequestQueries(ctx),
    ...questionQueries(ctx),
    ...outputQueries(ctx),
    ...feedQueries(ctx),
    ...dashboardQueries(ctx),
    ...notificationQueries(ctx),
    ...replicaQueries(ctx),
    subscribe: ctx.subscribe,
    batch: <T>(work: () => T): T => ctx.write(() => work()),
    close(): void {
      ctx.close();
    },
  };
  // A member missing from the ports would be hidden from every caller: it does not compile.
  const undeclared: Record<Exclude<keyof typeof store, keyof Store>, never> = {};
  void undeclared;
  return store;
}
