export type { AgentSwitch } from './agent-switch.js';
export type { DashboardSummary, HistoryPage, HistoryQuery, ObjectiveRow, SessionRow } from './dashboard.js';
export { historyPageSize, maxHistoryPageSize } from './dashboard.js';
export type { EventListener, EventOrigin } from './database.js';
export type { ProviderUsage } from './feed.js';
export type { LockResult } from './locks.js';
export type {
  Notification,
  NotificationDelivery,
  NotificationDeliveryStatus,
  NotificationDraft,
} from './notifications.js';
export { PgError, SyncPg } from './pg/bridge.js';
export { redactUrl } from './pg/database.js';
export type { Store, StoreReads, StoreWrites } from './ports.js';
export type { Leadership, Replica } from './replicas.js';
export type { SessionPatch } from './sessions.js';
export type { StoreOptions } from './store.js';
export { createStore } from './store.js';
export type { ClaimResult } from './targets.js';
