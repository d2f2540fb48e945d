import { agentNameSchema, type OrchaEvent } from '@orcha/model';
import { asc, gt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { parseEvent, parseInput, type StoreContext } from './database.js';
import { events, providerUsage } from './schema.js';

export interface ProviderUsage {
  provider: string;
  exhaustedUntil: number | null;
  updatedAt: number;
}

/** The change feed (events after a cursor) and provider usage state. */
export function feedQueries(ctx: StoreContext) {
  return {
    listEvents(options: { after?: number | undefined; limit?: number | undefined } = {}): OrchaEvent[] {
      const after = Math.max(0, Math.floor(options.after ?? 0));
      const limit = Math.min(5_000, Math.max(1, Math.floor(options.limit ?? 500)));
      return ctx.db
        .select()
        .from(events)
        .where(gt(events.id, after))
        .orderBy(asc(events.id))
        .limit(limit)
        .all()
        .map(parseEvent);
    },
    latestEventId(): number {
      return (
        ctx.db
          .select({ id: sql<number>`coalesce(max(${events.id}), 0)` })
          .from(events)
          .get()?.id ?? 0
      );
    },
    setProviderExhausted(provider: string, until: number | null): void {
      parseInput(
        z.object({ provider: agentNameSchema, until: z.number().int().nonnegative().nullable() }),
        { provider, until },
        'provider usage',
      );
      ctx.write((emit) => {
        const updatedAt = ctx.clock();
        ctx.db
          .insert(providerUsage)
          .values({ provider, exhaustedUntil: until, updatedAt })
          .onConflictDoUpdate({ target: providerUsage.provider, set: { exhaustedUntil: until, updatedAt } })
          .run();
        emit({ type: 'provider-usage-change', provider, exhaustedUntil: until });
      });
    },
    listProviderUsage(): ProviderUsage[] {
      return ctx.db.select().from(providerUsage).all();
    },
  };
}
