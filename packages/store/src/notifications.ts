import { OrchaError, type OrchaEvent } from '@orcha/model';
import { and, asc, desc, eq, gt, inArray, lt, lte, min } from 'drizzle-orm';
import { z } from 'zod';
import { parseEvent, parseInput, type StoreContext } from './database.js';
import { events, notificationCursor, notificationDeliveries, notifications } from './schema.js';

/** What a notifying event becomes; the outbox adds its id, key and time. */
export const notificationDraftSchema = z.object({
  kind: z.string().min(1).max(64),
  title: z.string().min(1).max(500),
  body: z.string().max(5_000),
  objectiveId: z.string().nullable(),
});
export type NotificationDraft = z.infer<typeof notificationDraftSchema>;

export interface Notification extends NotificationDraft {
  id: number;
  /** The idempotency key every sink receives with every attempt: `orcha-event-<eventId>`. */
  key: string;
  eventId: number;
  at: number;
}

export type NotificationDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One sink's delivery of one notification: the delivery log. */
export interface NotificationDelivery {
  notificationId: number;
  sink: string;
  status: NotificationDeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  deliveredAt: number | null;
  updatedAt: number;
}

const sinkNames = z.array(z.string().min(1).max(200)).max(50);
const outcomeInput = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true) }),
  z.object({
    ok: z.literal(false),
    error: z.string().max(2_000),
    /** When to try again; null gives up (status `failed`). */
    retryAt: z.number().int().nonnegative().nullable(),
  }),
]);

const toNotification = (row: typeof notifications.$inferSelect): Notification => ({
  id: row.id,
  key: row.key,
  eventId: row.eventId,
  at: row.at,
  kind: row.kind,
  title: row.title,
  body: row.body,
  objectiveId: row.objectiveId,
});
const toDelivery = (row: typeof notificationDeliveries.$inferSelect): NotificationDelivery => ({
  ...row,
  status: row.status as NotificationDeliveryStatus,
});

/**
 * The durable notification outbox. Notifications are derived from the events table past a cursor that moves
 * in the same transaction as the rows it yields, so an event committed before a crash is turned into a
 * notification after the restart, exactly once, with the same key.
 */
export function notificationQueries(ctx: StoreContext) {
  const cursor = (): number =>
    ctx.db.select().from(notificationCursor).where(eq(notificationCursor.id, 1)).get()?.eventId ?? 0;

  return {
    /**
     * Reads up to `batch` events past the cursor, writes a notification (and a pending delivery per sink)
     * for each one `derive` turns into a draft, and moves the cursor past them — one transaction.
     * Returns how many events were read (fewer than `batch` means the outbox has caught up).
     */
    deriveNotifications(
      derive: (event: OrchaEvent) => NotificationDraft | null,
      sinks: readonly string[],
      batch = 500,
    ): number {
      const names = parseInput(sinkNames, sinks, 'notification sinks');
      return ctx.write(() => {
        const after = cursor();
        const rows = ctx.db
          .select()
          .from(events)
          .where(gt(events.id, after))
          .orderBy(asc(events.id))
          .limit(Math.max(1, Math.floor(batch)))
          .all();
        if (!rows.length) return 0;
        const now = ctx.clock();
        for (const row of rows) {
          const draft = derive(parseEvent(row));
          if (!draft) continue;
          const valid = parseInput(notificationDraftSchema, draft, 'notification');
          const inserted = ctx.db
            .insert(notifications)
            .values({ ...valid, key: `orcha-event-${row.id}`, eventId: row.id, at: row.at })
            .onConflictDoNothing()
            .returning({ id: notifications.id })
            .get();
          if (!inserted) continue;
          for (const sink of names)
            ctx.db
              .insert(notificationDeliveries)
              .values({
                notificationId: inserted.id,
                sink,
                status: 'pending',
                nextAttemptAt: now,
                updatedAt: now,
              })
              .run();
        }
        const last = rows[rows.length - 1]!.id;
        ctx.db
          .insert(notificationCursor)
          .values({ id: 1, eventId: last })
          .onConflictDoUpdate({ target: notificationCursor.id, set: { eventId: last } })
          .run();
        return rows.length;
      });
    },

    /** Pending deliveries to the given sinks whose next attempt is due at `now`, oldest first. */
    dueDeliveries(
      now: number,
      sinks: readonly string[],
      limit = 100,
    ): { notification: Notification; delivery: NotificationDelivery }[] {
      const names = parseInput(sinkNames, sinks, 'notification sinks');
      if (!names.length) return [];
      return ctx.db
        .select()
        .from(notificationDeliveries)
        .innerJoin(notifications, eq(notifications.id, notificationDeliveries.notificationId))
        .where(
          and(
            eq(notificationDeliveries.status, 'pending'),
            lte(notificationDeliveries.nextAttemptAt, now),
            inArray(notificationDeliveries.sink, names),
          ),
        )
        .orderBy(asc(notificationDeliveries.nextAttemptAt), asc(notificationDeliveries.notificationId))
        .limit(Math.max(1, Math.floor(limit)))
        .all()
        .map((row) => ({
          notification: toNotification(row.notifications),
          delivery: toDelivery(row.notification_deliveries),
        }));
    },

    /** When the earliest pending delivery to these sinks is due, or null when nothing is pending. */
    nextDeliveryAt(sinks: readonly string[]): number | null {
      const names = parseInput(sinkNames, sinks, 'notification sinks');
      if (!names.length) return null;
      return (
        ctx.db
          .select({ at: min(notificationDeliveries.nextAttemptAt) })
          .from(notificationDeliveries)
          .where(
            and(eq(notificationDeliveries.status, 'pending'), inArray(notificationDeliveries.sink, names)),
          )
          .get()?.at ?? null
      );
    },

    /** Records one attempt: delivered, to be retried at `retryAt`, or given up on. */
    recordDeliveryAttempt(
      notificationId: number,
      sink: string,
      outcome: z.input<typeof outcomeInput>,
    ): NotificationDelivery {
      const result = parseInput(outcomeInput, outcome, 'delivery outcome');
      return ctx.write(() => {
        const where = and(
          eq(notificationDeliveries.notificationId, notificationId),
          eq(notificationDeliveries.sink, sink),
        );
        const current = ctx.db.select().from(notificationDeliveries).where(where).get();
        if (!current)
          throw new OrchaError('not_found', `no delivery of notification ${notificationId} to ${sink}`);
        if (current.status !== 'pending')
          throw new OrchaError('conflict', `the delivery to ${sink} is already ${current.status}`);
        const now = ctx.clock();
        const patch = result.ok
          ? { status: 'delivered', deliveredAt: now, lastError: null }
          : {
              status: result.retryAt === null ? 'failed' : 'pending',
              nextAttemptAt: result.retryAt ?? current.nextAttemptAt,
              lastError: result.error,
            };
        ctx.db
          .update(notificationDeliveries)
          .set({ ...patch, attempts: current.attempts + 1, updatedAt: now })
          .where(where)
          .run();
        return toDelivery(ctx.db.select().from(notificationDeliveries).where(where).get()!);
      });
    },

    /** The newest notifications first (before the id `before`), each with its delivery log per sink. */
    listNotifications(
      options: { before?: number | undefined; limit?: number | undefined } = {},
    ): (Notification & { deliveries: NotificationDelivery[] })[] {
      const limit = Math.min(500, Math.max(1, Math.floor(options.limit ?? 50)));
      const rows = ctx.db
        .select()
        .from(notifications)
        .where(options.before === undefined ? undefined : lt(notifications.id, options.before))
        .orderBy(desc(notifications.id))
        .limit(limit)
        .all();
      if (!rows.length) return [];
      const deliveries = ctx.db
        .select()
        .from(notificationDeliveries)
        .where(
          inArray(
            notificationDeliveries.notificationId,
            rows.map((row) => row.id),
          ),
        )
        .orderBy(asc(notificationDeliveries.sink))
        .all()
        .map(toDelivery);
      return rows.map((row) => ({
        ...toNotification(row),
        deliveries: deliveries.filter((delivery) => delivery.notificationId === row.id),
      }));
    },
  };
}
