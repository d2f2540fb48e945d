import { is, type SQL } from 'drizzle-orm';
import {
  bigint,
  type ExtraConfigColumn,
  index,
  type PgColumnBuilderBase,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { getTableConfig, SQLiteColumn, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as sqlite from '../schema.js';

/**
 * orcha's schema in drizzle's `pg` dialect, derived from the one schema (`../schema.ts`): text stays text,
 * integer becomes bigint (times are epoch milliseconds), an autoincrement id an identity column; keys and
 * indexes (partial ones included) carry over. What drizzle-kit diffs to write `drizzle-pg/` migrations
 * (`pnpm --filter @orcha/store db:generate:pg`), so a column added to the schema is one command on each engine.
 * Every table of `../schema.ts` is listed below; `test/pg-schema.test.ts` fails when one is missing.
 */
/** The builder calls used below, on either column type. */
interface ColumnChain {
  primaryKey(): ColumnChain;
  notNull(): ColumnChain;
  default(value: unknown): ColumnChain;
  unique(name?: string): ColumnChain;
  generatedByDefaultAsIdentity(): ColumnChain;
}

function toPg(table: SQLiteTable) {
  const config = getTableConfig(table);
  const columns: Record<string, PgColumnBuilderBase> = {};
  for (const column of config.columns) {
    let built = (column.columnType === 'SQLiteInteger'
      ? bigint(column.name, { mode: 'number' })
      : text(column.name)) as unknown as ColumnChain;
    if (column.primary) built = built.primaryKey();
    if ((column as { autoIncrement?: boolean }).autoIncrement) built = built.generatedByDefaultAsIdentity();
    if (column.notNull && !column.primary) built = built.notNull();
    if (column.hasDefault && column.default !== undefined) built = built.default(column.default);
    if (column.isUnique) built = built.unique(column.uniqueName);
    columns[column.name] = built as unknown as PgColumnBuilderBase;
  }
  return pgTable(config.name, columns, (pg) => {
    const twin = (part: unknown) => (is(part, SQLiteColumn) ? pg[part.name] : part) as ExtraConfigColumn;
    const list = (parts: unknown[]) => parts.map(twin) as [ExtraConfigColumn, ...ExtraConfigColumn[]];
    return [
      ...config.primaryKeys.map((key) => primaryKey({ columns: list(key.columns) })),
      ...config.indexes.map(({ config: spec }) => {
        const built = (spec.unique ? uniqueIndex : index)(spec.name).on(...list(spec.columns));
        return spec.where ? built.where(spec.where as SQL) : built;
      }),
    ];
  });
}

export const objectives = toPg(sqlite.objectives);
export const sessions = toPg(sqlite.sessions);
export const sessionStatusCounts = toPg(sqlite.sessionStatusCounts);
export const targets = toPg(sqlite.targets);
export const targetSlots = toPg(sqlite.targetSlots);
export const locks = toPg(sqlite.locks);
export const pendingInput = toPg(sqlite.pendingInput);
export const managerReports = toPg(sqlite.managerReports);
export const agentMemory = toPg(sqlite.agentMemory);
export const workspaces = toPg(sqlite.workspaces);
export const pullRequests = toPg(sqlite.pullRequests);
export const prFeedback = toPg(sqlite.prFeedback);
export const questions = toPg(sqlite.questions);
export const notes = toPg(sqlite.notes);
export const artifacts = toPg(sqlite.artifacts);
export const providerUsage = toPg(sqlite.providerUsage);
export const events = toPg(sqlite.events);
export const transcriptMessages = toPg(sqlite.transcriptMessages);
export const notifications = toPg(sqlite.notifications);
export const notificationDeliveries = toPg(sqlite.notificationDeliveries);
export const notificationCursor = toPg(sqlite.notificationCursor);
export const replicas = toPg(sqlite.replicas);
export const leases = toPg(sqlite.leases);
