import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { startPostgres } from '../../testkit/src/postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The suite's PostgreSQL server, or why none could start. */
    postgres: { ok: true; url: string } | { ok: false; reason: string };
  }
}

/**
 * Starts one real PostgreSQL server for the `store-postgres` run, with a migrated template database: each
 * test takes a fresh copy of it (`CREATE DATABASE … TEMPLATE`), and the store's own migration on open finds
 * nothing left to do.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  if (server.ok) {
    await server.psql('postgres', 'CREATE DATABASE store_template');
    const migrate = fileURLToPath(new URL('./postgres-template.ts', import.meta.url));
    await promisify(execFile)(process.execPath, [
      '--conditions=@orcha/source',
      '--import',
      'tsx',
      migrate,
      server.url.replace(/\/postgres$/, '/store_template'),
    ]);
  }
  project.provide('postgres', server.ok ? { ok: true, url: server.url } : server);
  return async () => {
    if (server.ok) await server.stop();
  };
}
