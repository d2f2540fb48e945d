import { createNotifier, createNtfySink, createWebhookSink, type Logger, type Notifier } from '@orcha/core';
import type { Store } from '@orcha/store';
import type { ServerConfig } from './config.js';

/** Starts delivering the store's notification outbox to the sinks the flags configure. */
export function startNotifications(store: Store, config: ServerConfig, log: Logger): Notifier {
  const sinks = config.notifySinks.map((sink) =>
    sink.kind === 'webhook' ? createWebhookSink(sink) : createNtfySink(sink),
  );
  const notifier = createNotifier({ store, sinks, log });
  notifier.start();
  if (sinks.length) log('info', 'notifications go to', { sinks: sinks.map((sink) => sink.name) });
  return notifier;
}
