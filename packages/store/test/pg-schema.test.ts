import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { is } from 'drizzle-orm';
import { getTableConfig as pgTableConfig } from 'drizzle-orm/pg-core';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { createStore } from '../src/index.js';
import * as pg from '../src/pg/schema.js';
import * as sqlite from '../src/schema.js';
import { engine, openTestStore } from './helpers.js';

const advice =
  'the engines drifted apart: write the PostgreSQL side of the change (pnpm --filter @orcha/store db:generate:pg)';

describe('the PostgreSQL schema', () => {
  it('has every table of the schema, with the same columns and keys', () => {
    const tables = Object.entries(sqlite).filter(([, table]) => is(table, SQLiteTable)) as [
      string,
      SQLiteTable,
    ][];
    for (const [name, table] of tables) {
      const twin = (pg as Record<string, unknown>)[name];
      expect(twin, `src/pg/schema.ts does not export ${name}`).toBeDefined();
      const lite = getTableConfig(table);
      const post = pgTableConfig(twin as Parameters<typeof pgTableConfig>[0]);
      expect(post.name).toBe(lite.name);
      const shape = (columns: { name: string; notNull: boolean; primary: boolean }[]) =>
        columns.map(({ name, notNull, primary }) => ({ name, notNull, primary }));
      expect(shape(post.columns), `${lite.name}: ${advice}`).toEqual(shape(lite.columns));
      expect(post.indexes.map((index) => index.config.name)).toEqual(
        lite.indexes.map((index) => index.config.name),
      );
    }
  });

  it('migrates to the same tables, columns and indexes as SQLite migrates to', (context) => {
    if (engine !== 'postgres') context.skip('compares against a PostgreSQL server: runs in store-postgres');
    const dir = mkdtempSync(join(tmpdir(), 'orcha-schema-'));
    const postgres = openTestStore();
    try {
      const path = join(dir, 'orcha.db');
      createStore({ path, clock: Date.now, ids: () => 'x' }).close();
      const lite = new Database(path, { readonly: true });
      const liteTables = (
        lite
          .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != '__drizzle_migrations'",
          )
          .all() as { name: string }[]
      ).map((row) => row.name);
      const liteColumns = liteTables.flatMap((table) =>
        (
          lite.prepare(`PRAGMA table_info(${table})`).all() as { name: string; notnull: number; pk: number }[]
        ).map((column) => `${table}.${column.name}${column.notnull || column.pk ? ' not null' : ''}`),
      );
      const liteIndexes = (
        lite
          .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%'",
          )
          .all() as { name: string }[]
      ).map((row) => row.name);
      lite.close();

      const postColumns = postgres
        .query(
          `SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'`,
        )
        .map((row) => `${row.table_name}.${row.column_name}${row.is_nullable === 'NO' ? ' not null' : ''}`);
      const postTables = postgres
        .query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`)
        .map((row) => row.table_name);
      const postIndexes = postgres
        .query(`SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND NOT i.indisprimary`)
        .map((row) => row.name);

      expect([...postTables].sort(), `tables: ${advice}`).toEqual([...liteTables].sort());
      expect([...postColumns].sort(), `columns: ${advice}`).toEqual([...liteColumns].sort());
      expect([...postIndexes].sort(), `indexes: ${advice}`).toEqual([...liteIndexes].sort());
    } finally {
      postgres.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
