import { type BudgetLimits, budgetDimensions, budgetUnit, type OrchaEvent } from '@orcha/model';
import type { Notification, NotificationDraft, Store } from '@orcha/store';
import type { Logger } from './context.js';
import { personSwitchReason } from './failover.js';

/** Where notifications go (a webhook, an ntfy topic…). `send` resolves once the receiver accepted it. */
export interface NotificationSink {
  /** Stable across restarts: the delivery log is kept per sink name. */
  readonly name: string;
  send(notification: Notification, signal: AbortSignal): Promise<void>;
}

export interface RetryPolicy {
  /** The wait after the first failed attempt; each further failure doubles it. */
  baseMs: number;
  maxMs: number;
  /** Attempts before a delivery is given up as `failed`. */
  maxAttempts: number;
  /** How long one attempt may take. */
  timeoutMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  baseMs: 1_000,
  maxMs: 10 * 60_000,
  maxAttempts: 12,
  timeoutMs: 10_000,
};

/** The wait before attempt `attempts + 1` after `attempts` failures (1 → base, 2 → 2·base, …, capped). */
export function backoffDelay(attempts: number, policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'>): number {
  const exponent = Math.max(0, Math.floor(attempts) - 1);
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(exponent, 30));
}

/**
 * What the person is told, or null for events that need nobody: a question opened (any kind, a budget's
 * stop included), an objective that ended, a budget at 80 %, a session that failed over to another agent, a
 * target gone offline. Reads the store for titles and prompts (called inside the outbox's
 * transaction, so what it reads is what the event saw).
 */
export function notificationFor(store: Store, event: OrchaEvent): NotificationDraft | null {
  switch (event.type) {
    case 'question-open': {
      const question = store.getQuestion(event.questionId);
      const objective = store.getObjective(event.objectiveId);
      return {
        kind: `question.${question.kind}`,
        title: `orcha needs you: ${objective.title}`,
        body: clip(question.prompt),
        objectiveId: event.objectiveId,
      };
    }
    case 'objective-status-change': {
      if (event.to === 'active') return null;
      const objective = store.getObjective(event.objectiveId);
      const verb = { done: 'is done', failed: 'failed', canceled: 'was canceled' }[event.to];
      return {
        kind: `objective.${event.to}`,
        title: `${objective.title} ${verb}`,
        body: clip(objective.summary ?? ''),
        objectiveId: event.objectiveId,
      };
    }
    case 'budget-change': {
      // At 100 % the budget question is the notification.
      if (event.level !== 80 || event.from >= 80) return null;
      const objective = store.getObjective(event.objectiveId);
      const whose = event.sessionId
        ? `session "${store.getSession(event.sessionId).title}"`
        : 'the objective';
      return {
        kind: 'budget.80',
        title: `${objective.title}: 80% of the budget spent`,
        body: `${whose} has spent 80% of its budget${event.budget ? ` (${describeLimits(event.budget)})` : ''}; at 100% its work is paused and you are asked.`,
        objectiveId: event.objectiveId,
      };
    }
    case 'session-agent-switch': {
      // Failover: the work goes on elsewhere, and the person knows where (not when they moved it themselves).
      if (event.reason === personSwitchReason) return null;
      const objective = store.getObjective(event.objectiveId);
      const session = store.getSession(event.sessionId);
      return {
        kind: 'session.failover',
        title: `${objective.title}: a session continues on ${event.to}`,
        body: clip(
          `Session "${session.title}" continues on ${event.to} (was ${event.from}): ${event.reason}. Same task, same workspace.`,
        ),
        objectiveId: event.objectiveId,
      };
    }
    case 'target-status-change': {
      if (event.to !== 'offline') return null;
      const target = store.getTarget(event.targetId);
      return {
        kind: 'target.offline',
        title: `target ${target.name} is offline`,
        body: `${event.reason ? `${event.reason}. ` : ''}It was ${event.from}; nothing new is placed there, and sessions wait for it or for another target.`,
        objectiveId: null,
      };
    }
    default:
      return null;
  }
}

const notifyingTypes = new Set<OrchaEvent['type']>([
  'question-open',
  'objective-status-change',
  'target-status-change',
  'budget-change',
  'session-agent-switch',
]);

function describeLimits(limits: BudgetLimits): string {
  return budgetDimensions
    .filter((dimension) => limits[dimension] !== undefined)
    .map((dimension) => `${limits[dimension]} ${budgetUnit(dimension)}`)
    .join(', ');
}

const clip = (text: string) => (text.length > 2_000 ? `${text.slice(0, 1_999)}…` : text);

export interface NotifierOptions {
  store: Store;
  sinks: readonly NotificationSink[];
  clock?: () => number;
  /** Schedules `run` after `ms`; returns a cancel function. Injected so retries are testable without waiting. */
  setTimer?: (run: () => void, ms: number) => () => void;
  retry?: Partial<RetryPolicy>;
  log?: Logger;
}

export interface Notifier {
  /** Catches the outbox up with events written while orcha was down, then delivers whatever is due. */
  start(): void;
  /** Stops waking; attempts in flight finish and are recorded. */
  stop(): Promise<void>;
  /** Derives and delivers what is due now; resolves when those attempts are recorded. */
  flush(): Promise<void>;
}

const realTimer = (run: () => void, ms: number) => {
  const timer = setTimeout(run, ms);
  timer.unref?.();
  return () => clearTimeout(timer);
};

/**
 * Delivers the store's notification outbox to the sinks: woken by the store's events, retrying failures with
 * exponential backoff, each attempt recorded in the delivery log. At least once: a crash between a receiver's
 * answer and its record repeats the attempt after the restart, with the same idempotency key.
 */
export function createNotifier(options: NotifierOptions): Notifier {
  const { store, sinks } = options;
  const clock = options.clock ?? Date.now;
  const setTimer = options.setTimer ?? realTimer;
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...options.retry };
  const log = options.log ?? (() => {});
  const names = sinks.map((sink) => sink.name);
  const byName = new Map(sinks.map((sink) => [sink.name, sink]));
  const inFlight = new Map<string, Promise<void>>();
  let running = false;
  let cancelTimer: (() => void) | null = null;
  let unsubscribe: (() => void) | null = null;

  // A notification that cannot be described still goes out, plainly: the outbox never stalls on one event.
  const describe = (event: OrchaEvent): NotificationDraft | null => {
    try {
      return notificationFor(store, event);
    } catch (error) {
      log('warn', 'notification described plainly', { eventId: event.id, error: String(error) });
      const objectiveId = 'objectiveId' in event ? event.objectiveId : null;
      return { kind: event.type, title: `orcha: ${event.type}`, body: '', objectiveId };
    }
  };
  const derive = () => {
    while (store.deriveNotifications(describe, names) >= 500) {}
  };

  const attempt = async (notification: Notification, sinkName: string, attempts: number) => {
    const sink = byName.get(sinkName)!;
    let error: string | null = null;
    try {
      await sink.send(notification, AbortSignal.timeout(policy.timeoutMs));
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    }
    const tries = attempts + 1;
    const retryAt = tries >= policy.maxAttempts ? null : clock() + backoffDelay(tries, policy);
    if (error !== null)
      log('warn', 'notification not delivered', { sink: sinkName, key: notification.key, tries, error });
    store.recordDeliveryAttempt(
      notification.id,
      sinkName,
      error === null ? { ok: true } : { ok: false, error, retryAt },
    );
  };

  const deliverDue = (): Promise<void>[] => {
    const started: Promise<void>[] = [];
    for (const { notification, delivery } of store.dueDeliveries(clock(), names)) {
      const id = `${delivery.notificationId}:${delivery.sink}`;
      if (inFlight.has(id)) continue;
      const done = attempt(notification, delivery.sink, delivery.attempts)
        .catch((error) => log('error', 'notification attempt not recorded', { id, error: String(error) }))
        .finally(() => {
          inFlight.delete(id);
          if (running) pump();
        });
      inFlight.set(id, done);
      started.push(done);
    }
    return started;
  };

  const scheduleNext = () => {
    cancelTimer?.();
    cancelTimer = null;
    const next = store.nextDeliveryAt(names);
    if (next === null || !running) return;
    // What is due now is in flight (or beyond one batch): each attempt that ends pumps again.
    if (next <= clock() && inFlight.size > 0) return;
    cancelTimer = setTimer(pump, Math.max(0, next - clock()));
  };

  function pump(): Promise<void>[] {
    try {
      const started = deliverDue();
      scheduleNext();
      return started;
    } catch (error) {
      log('error', 'notification outbox failed', { error: String(error) });
      return [];
    }
  }

  const wake = () => {
    try {
      derive();
    } catch (error) {
      log('error', 'notification outbox could not read events', { error: String(error) });
    }
    pump();
  };

  return {
    start() {
      if (running) return;
      running = true;
      unsubscribe = store.subscribe((events) => {
        if (events.some((event) => notifyingTypes.has(event.type))) setImmediate(() => running && wake());
      });
      wake();
    },
    async stop() {
      running = false;
      unsubscribe?.();
      unsubscribe = null;
      cancelTimer?.();
      cancelTimer = null;
      await Promise.allSettled([...inFlight.values()]);
    },
    async flush() {
      derive();
      await Promise.allSettled([...inFlight.values(), ...pump()]);
    },
  };
}
