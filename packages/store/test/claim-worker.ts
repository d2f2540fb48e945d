// Run in a separate process by claim-race.test.ts: opens the same database (SQLite file or PostgreSQL) and claims slots for the
// sessions named on the command line as fast as it can, printing how many it got.
import { createIdGenerator } from '@orcha/model';
import { createStore } from '../src/index.js';

const [location, targetId, ...sessionIds] = process.argv.slice(2);
const store = createStore({
  ...(JSON.parse(location!) as { path: string } | { url: string }),
  clock: Date.now,
  ids: createIdGenerator(Date.now, () => Math.floor(Math.random() * 32)),
  busyTimeoutMs: 20_000,
});
let granted = 0;
for (const sessionId of sessionIds) if (store.claimTargetSlot(targetId!, sessionId).ok) granted++;
store.close();
process.stdout.write(String(granted));
