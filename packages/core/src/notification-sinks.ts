import { createHmac } from 'node:crypto';
import type { Notification } from '@orcha/store';
import type { NotificationSink } from './notifications.js';

/** `sha256=<hex HMAC-SHA256 of body with secret>`: what `X-Orcha-Signature` carries. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The JSON a webhook receives (and the signature covers). */
export function webhookPayload(notification: Notification) {
  return {
    id: notification.key,
    kind: notification.kind,
    title: notification.title,
    body: notification.body,
    objectiveId: notification.objectiveId,
    eventId: notification.eventId,
    at: new Date(notification.at).toISOString(),
  };
}

async function post(url: string, init: RequestInit, signal: AbortSignal): Promise<void> {
  const host = new URL(url).host;
  let response: Response;
  try {
    response = await fetch(url, { ...init, method: 'POST', signal, redirect: 'error' });
  } catch (error) {
    // fetch says only "fetch failed"; the reason (refused, unknown host, timeout) is its cause.
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    throw new Error(`${host}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  await response.body?.cancel();
  if (!response.ok) throw new Error(`${host} answered HTTP ${response.status}`);
}

/**
 * POSTs each notification as JSON, signed with `X-Orcha-Signature: sha256=…` (HMAC of the body with
 * `secret`) and carrying `Idempotency-Key`, the same on every attempt, so a receiver can drop repeats.
 */
export function createWebhookSink(options: { name: string; url: string; secret: string }): NotificationSink {
  return {
    name: options.name,
    async send(notification, signal) {
      const body = JSON.stringify(webhookPayload(notification));
      await post(
        options.url,
        {
          body,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'orcha',
            'idempotency-key': notification.key,
            'x-orcha-event': notification.kind,
            'x-orcha-signature': signBody(body, options.secret),
          },
        },
        signal,
      );
    },
  };
}

/** Header values must be ASCII; others go as RFC 2047 encoded words, which ntfy decodes. */
function headerText(text: string): string {
  const line = text.replace(/[\r\n]+/g, ' ');
  return /^[\x20-\x7e]*$/.test(line) ? line : `=?UTF-8?B?${Buffer.from(line).toString('base64')}?=`;
}

const ntfyTags: Record<string, string> = {
  question: 'question',
  'objective.done': 'white_check_mark',
  objective: 'x',
  target: 'warning',
};

/** POSTs the text to an ntfy-style topic URL with `Title` and `Tags` headers (and a bearer token if given). */
export function createNtfySink(options: {
  name: string;
  url: string;
  token?: string | undefined;
}): NotificationSink {
  return {
    name: options.name,
    async send(notification, signal) {
      const family = notification.kind.split('.')[0]!;
      const tags = [
        ntfyTags[notification.kind] ?? ntfyTags[family] ?? 'bell',
        notification.kind.replace(/[^A-Za-z0-9_-]/g, '_'),
      ];
      await post(
        options.url,
        {
          body: notification.body || notification.title,
          headers: {
            'content-type': 'text/plain; charset=utf-8',
            'user-agent': 'orcha',
            title: headerText(notification.title),
            tags: tags.join(','),
            'x-orcha-key': notification.key,
            ...(family === 'question' ? { priority: 'high' } : {}),
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          },
        },
        signal,
      );
    },
  };
}
