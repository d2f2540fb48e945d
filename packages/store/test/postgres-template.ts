// Run by postgres-setup.ts in a process of its own (the global setup does not load workspace sources):
// migrates the database named on the command line, the template every test's database is copied from.
import { SyncPg } from '../src/pg/bridge.js';
import { migratePostgres } from '../src/pg/database.js';

const pg = new SyncPg({ url: process.argv[2]! });
try {
  migratePostgres(pg);
} finally {
  pg.close();
}
