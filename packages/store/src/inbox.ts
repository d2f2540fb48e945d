import { idSchema, OrchaError, type Session } from '@orcha/model';
import { and, asc, eq, inArray, isNull, notInArray, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { z } from 'zod';
import { parseInput, type StoreContext } from './database.js';
import { toSession } from './rows.js';
import { managerReports, pendingInput, sessions } from './schema.js';

/** A worker's parent, joined as a second copy of the sessions table. */
const managers = alias(sessions, 'managers');

const queueInput = z.object({ sessionId: idSchema('session'), text: z.string().min(1).max(200_000) });

/**
 * Each session's inbox: messages waiting for its next start, durable across restarts. A message handed to a
 * run stays in the inbox, marked handed, until the run answers it (`ackInput`); a run stopped or lost before
 * that gives it back (`requeueInput`), so an accepted message is never lost to a stop or a crash.
 */
export function inboxQueries(ctx: StoreContext) {
  const waiting = (sessionId: string) =>
    and(eq(pendingInput.sessionId, sessionId), eq(pendingInput.handed, 0));
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

    /** Hands the waiting messages to a run, oldest first: they stay kept, marked handed, until acknowledged. */
    takeInput(sessionId: string): string[] {
      return ctx.write(() => {
        const rows = ctx.db
          .select({ text: pendingInput.text })
          .from(pendingInput)
          .where(waiting(sessionId))
          .orderBy(asc(pendingInput.id))
          .all();
        if (rows.length) ctx.db.update(pendingInput).set({ handed: 1 }).where(waiting(sessionId)).run();
        return rows.map((row) => row.text);
      });
    },

    /** The run answered what it was handed: those messages are done. */
    ackInput(sessionId: string): void {
      ctx.write(() =>
        ctx.db
          .delete(pendingInput)
          .where(and(eq(pendingInput.sessionId, sessionId), eq(pendingInput.handed, 1)))
          .run(),
      );
    },

    /** The run that was handed messages is gone before answering: they wait for the next run again. */
    requeueInput(sessionId?: string): number {
      return ctx.write(
        () =>
          ctx.db
            .update(pendingInput)
            .set({ handed: 0 })
            .where(
              sessionId === undefined
                ? eq(pendingInput.handed, 1)
                : and(eq(pendingInput.sessionId, sessionId), eq(pendingInput.handed, 1)),
            )
            .run().changes,
      );
    },

    /** Messages waiting for the session's next start (not those handed to its live run). */
    pendingInputCount(sessionId: string): number {
      return (
        ctx.db.select({ count: sql<number>`count(*)` }).from(pendingInput).where(waiting(sessionId)).get()
          ?.count ?? 0
      );
    },

    /** Sessions with messages handed to a run and not yet answered. */
    sessionsWithHandedInput(): string[] {
      return ctx.db
        .selectDistinct({ sessionId: pendingInput.sessionId })
        .from(pendingInput)
        .where(eq(pendingInput.handed, 1))
        .all()
        .map((row) => row.sessionId);
    },

    /** Everything in a session's inbox, oldest first: waiting, or handed to its live run. */
    listInput(sessionId: string): { text: string; handed: boolean }[] {
      return ctx.db
        .select({ text: pendingInput.text, handed: pendingInput.handed })
        .from(pendingInput)
        .where(eq(pendingInput.sessionId, sessionId))
        .orderBy(asc(pendingInput.id))
        .all()
        .map((row) => ({ text: row.text, handed: row.handed === 1 }));
    },

    /** Forgets what waits for a session that will not start again (canceled). */
    dropInput(sessionId: string): void {
      ctx.write(() => ctx.db.delete(pendingInput).where(eq(pendingInput.sessionId, sessionId)).run());
    },

    /** Records that a finished worker's manager was told. */
    recordManagerTold(workerId: string): void {
      ctx.write(() =>
        ctx.db.insert(managerReports).values({ workerId, at: ctx.clock() }).onConflictDoNothing().run(),
      );
    },

    /**
     * Finished workers whose manager was never told, oldest first. Only managers that can still hear it
     * count: a manager that ended is never told again (a long history is not replayed at every start).
     */
    finishedWorkersUntold(): Session[] {
      return ctx.db
        .select()
        .from(sessions)
        .innerJoin(managers, eq(managers.id, sessions.parentId))
        .leftJoin(managerReports, eq(managerReports.workerId, sessions.id))
        .where(
          and(
            eq(sessions.role, 'worker'),
            inArray(sessions.status, ['completed', 'failed', 'canceled']),
            notInArray(managers.status, ['completed', 'failed', 'canceled']),
            isNull(managerReports.workerId),
          ),
        )
        .orderBy(asc(sessions.updatedAt))
        .all()
        .map((row) => toSession(row.sessions));
    },
  };
}
