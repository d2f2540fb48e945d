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
import type { Store } from './ports.js';
import { pullRequestQueries } from './pull-requests.js';
import { questionQueries } from './questions.js';
import { sessionQueries } from './sessions.js';
import { targetQueries } from './targets.js';
import { transcriptQueries } from './transcripts.js';
import { workspaceQueries } from './workspaces.js';

export interface StoreOptions {
  /** The SQLite file; created with its directory's permissions if missing. */
  path: string;
  clock: () => number;
  ids: IdGenerator;
  busyTimeoutMs?: number;
}

/**
 * Opens (and migrates) orcha's SQLite database. Every function validates its input, writes each state change
 * together with its event in one transaction, and announces committed events to `subscribe` listeners.
 */
export function createStore(options: StoreOptions): Store {
  const ctx = openDatabase(options);
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
    subscribe: ctx.subscribe,
    close(): void {
      ctx.sqlite.close();
    },
  };
  // A member missing from the ports would be hidden from every caller: it does not compile.
  const undeclared: Record<Exclude<keyof typeof store, keyof Store>, never> = {};
  void undeclared;
  return store;
}
