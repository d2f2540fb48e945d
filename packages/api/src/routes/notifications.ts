import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { ApiDeps } from '../app.js';
import { type App, errors, json } from '../route.js';
import { Notification, notificationsQuery } from '../schemas.js';

export const notifications = createRoute({
  method: 'get',
  path: '/api/notifications',
  operationId: 'listNotifications',
  tags: ['Notifications'],
  summary: 'Notifications with their delivery log',
  description: 'The notification outbox, newest first, each notification with its delivery log per sink.',
  request: { query: notificationsQuery },
  responses: {
    200: json(z.object({ notifications: z.array(Notification) }), 'Newest first.'),
    ...errors(400),
  },
});

export function notificationRoutes(app: App, { orchestrator }: ApiDeps) {
  const { reads } = orchestrator;
  app.openapi(notifications, (c) =>
    c.json({ notifications: reads.listNotifications(c.req.valid('query')) }, 200),
  );
}
