import { idSchema, OrchaError } from '@orcha/model';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { parseInput, type StoreContext } from './database.js';
import { locks, sessions } from './schema.js';

export type LockResult = { ok: true } | { ok: false; holder: string };

const lockInput = z.object({ key: z.string().min(1).max(300), owner: idSchema('session') });

/** Row-unique locks with an owner: one writer per workspace, one updater per pull request branch. */
export function lockQueries(ctx: StoreContext) {
  return {
    acquireLock(key: string, ownerSessionId: string): LockResult {
      parseInput(lockInput, { key, owner: ownerSessionId }, 'lock');
      return ctx.write(() => {
        const held = ctx.db.select().from(locks).where(eq(locks.key, key)).get();
        if (held)
          return held.ownerSessionId === ownerSessionId
            ? ({ ok: true } as const)
            : { ok: false as const, holder: held.ownerSessionId };
        if (!ctx.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.id, ownerSessionId)).get()) {
          throw new OrchaError('not_found', `no session ${ownerSessionId}`);
        }
        ctx.db.insert(locks).values({ key, ownerSessionId, acquiredAt: ctx.clock() }).run();
        return { ok: true } as const;
      });
    },

    /** Releases a lock held by `ownerSessionId`; returns whether it did. Releasing another's lock does nothing. */
    releaseLock(key: string, ownerSessionId: string): boolean {
      return ctx.write(
        () =>
          ctx.db
            .delete(locks)
            .where(and(eq(locks.key, key), eq(locks.ownerSessionId, ownerSessionId)))
            .run().changes > 0,
      );
    },

    lockHolder(key: string): string | null {
      return ctx.db.select().from(locks).where(eq(locks.key, key)).get()?.ownerSessionId ?? null;
    },
  };
}
