import { idSchema, OrchaError } from '@orcha/model';
import { asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { parseInput, type StoreContext } from './database.js';
import { pendingInput, sessions } from './schema.js';

const queueInput = z.object({ sessionId: idSchema('session'), text: z.string().min(1).max(200_000) });

/** Each session's inbox: messages waiting for its next start, durable across restarts. */
export function inboxQueries(ctx: StoreContext) {
  return {
    /** Keeps a message for the session's next start. */
    queueInput(sessionId: string, text: string): void {
      parseInput(queueInput, { sessionId, text }, 'input');
      ctx.write(() => {
        if (!ctx.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.id, sessionId)).get()) {
          throw new OrchaError('not_found', `no session ${sessionId}`);
        }
        ctx.db.insert(pendingInput).values({ sessionId, text, at: ctx.clock() }).run();
      });
    },

    /** Removes and returns the waiting messages, oldest first. */
    takeInput(sessionId: string): string[] {
      return ctx.write(() => {
        const rows = ctx.db
          .select({ text: pendingInput.text })
          .from(pendingInput)
          .where(eq(pendingInput.sessionId, sessionId))
          .orderBy(asc(pendingInput.id))
          .all();
        if (rows.length) ctx.db.delete(pendingInput).where(eq(pendingInput.sessionId, sessionId)).run();
        return rows.map((row) => row.text);
      });
    },

    pendingInputCount(sessionId: string): number {
      return (
        ctx.db
          .select({ count: sql<number>`count(*)` })
          .from(pendingInput)
          .where(eq(pendingInput.sessionId, sessionId))
          .get()?.count ?? 0
      );
    },

    /** Forgets what waits for a session that will not start again (canceled). */
    dropInput(sessionId: string): void {
      ctx.write(() => ctx.db.delete(pendingInput).where(eq(pendingInput.sessionId, sessionId)).run());
    },
  };
}
