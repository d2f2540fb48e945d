import type { Hono } from 'hono';
import { z } from 'zod';
import type { ApiDeps } from '../app.js';
import { readQuery } from '../body.js';

export const notificationsQuery = z.object({
  /** Notifications older than this id (paging back). */
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** The notification outbox, newest first, each notification with its delivery log per sink. */
export function notificationRoutes(app: Hono, { orchestrator }: ApiDeps) {
  const { reads } = orchestrator;
  app.get('/api/notifications', (c) =>
    c.json({ notifications: reads.listNotifications(readQuery(c, notificationsQuery)) }),
  );
}
