import type { OrchaEvent } from '@orcha/model';
import { api, errorText } from '../api/orcha';
import { applyEvent, type Refresh } from './apply-event';
import { createCoalescer } from './coalescer';
import {
  type DashboardState,
  fromSnapshot,
  initialState,
  toRow,
  upsertObjective,
  upsertSessions,
  withHistory,
  withPullRequests,
  withQuestions,
  withTargets,
} from './dashboard-state';
import { type Feed, openFeed } from './event-feed';

/** How many past events the "what changed" feed starts with. */
const history = 60;
/** Above this many rows to refresh at once, one overview reload is cheaper than row fetches. */
const maxRowFetches = 12;
const refreshIntervalMs = 400;
/** The last line of a busy session is refreshed at most this often. */
const activityIntervalMs = 2000;

export type DashboardStore = ReturnType<typeof createDashboardStore>;

/**
 * The overview's state: one snapshot from /api/dashboard, then kept current by the global change feed.
 * Components read it through `useDashboard`; panels that need more (a session's detail) listen to
 * `onEvents` and fetch what they show.
 */
export function createDashboardStore() {
  let state: DashboardState = initialState;
  let feed: Feed | null = null;
  let stopped = false;
  const listeners = new Set<() => void>();
  const eventListeners = new Set<(events: OrchaEvent[]) => void>();

  const set = (next: DashboardState) => {
    if (next === state) return;
    state = next;
    for (const listener of listeners) listener();
  };

  const refresher = createCoalescer(async (keys) => {
    const sessionIds = keys.filter((key) => key.startsWith('s:')).map((key) => key.slice(2));
    const jobs: Promise<void>[] = [];
    if (keys.includes('dashboard') || sessionIds.length > maxRowFetches) jobs.push(load());
    else if (sessionIds.length) jobs.push(refreshSessions(sessionIds));
    for (const key of keys) {
      if (key.startsWith('o:')) jobs.push(refreshObjective(key.slice(2)));
      else if (key === 'questions')
        jobs.push(api.questions().then((r) => set(withQuestions(state, r.questions))));
      else if (key.startsWith('p:')) {
        const objectiveId = key.slice(2);
        jobs.push(
          api
            .pullRequests(objectiveId)
            .then((r) => set(withPullRequests(state, objectiveId, r.pullRequests))),
        );
      } else if (key === 'targets') jobs.push(api.targets().then((r) => set(withTargets(state, r.targets))));
    }
    await Promise.all(jobs);
  }, refreshIntervalMs);

  const activity = createCoalescer(async (ids) => {
    if (ids.length > maxRowFetches) await load();
    else await refreshSessions(ids);
  }, activityIntervalMs);

  const request = (refresh: Refresh) => {
    if (refresh.kind === 'session') refresher.mark(`s:${refresh.id}`);
    else if (refresh.kind === 'activity') activity.mark(refresh.id);
    else if (refresh.kind === 'objective') refresher.mark(`o:${refresh.id}`);
    else if (refresh.kind === 'pullRequests') refresher.mark(`p:${refresh.objectiveId}`);
    else refresher.mark(refresh.kind);
  };

  async function refreshSessions(ids: string[]) {
    const results = await Promise.allSettled(ids.map((id) => api.session(id)));
    const rows = results.flatMap((result) =>
      result.status === 'fulfilled' ? [toRow(result.value.session)] : [],
    );
    for (const row of rows)
      if (!state.objectives[row.objectiveId]) request({ kind: 'objective', id: row.objectiveId });
    set(upsertSessions(state, rows));
  }

  async function refreshObjective(id: string) {
    const detail = await api.objective(id);
    const { prompt: _prompt, ...objective } = detail.objective;
    set(upsertSessions(upsertObjective(state, objective), detail.sessions.map(toRow)));
  }

  async function load(): Promise<void> {
    try {
      const snapshot = await api.dashboard();
      if (stopped) return;
      if (state.phase === 'loading') performance.mark('orcha-snapshot');
      let next = fromSnapshot(state, snapshot);
      // Events that arrived while the snapshot was on its way are re-applied on top of it.
      const later = state.feed.filter((event) => event.id > snapshot.latestEventId).reverse();
      for (const event of later)
        next = applyEvent({ ...next, feed: next.feed.filter((e) => e.id !== event.id) }, event, request);
      set(next);
      if (!feed) {
        feed = openFeed(Math.max(0, snapshot.latestEventId - history), {
          onEvents: receive,
          onHello: (latest) => {
            if (feed && latest < feed.lastEventId) restart();
          },
          onState: (connection) => set({ ...state, connection }),
        });
        // The snapshot's pull requests come without their feedback: fetched per objective that has any.
        for (const objectiveId of new Set(next.pullRequests.map((pr) => pr.objectiveId)))
          request({ kind: 'pullRequests', objectiveId });
      }
    } catch (error) {
      if (state.phase !== 'ready') set({ ...state, phase: 'error', error: errorText(error) });
      throw error;
    }
  }

  function receive(events: OrchaEvent[]) {
    let next = state;
    for (const event of events) next = applyEvent(next, event, request);
    set(next);
    for (const listener of eventListeners) listener(events);
  }

  /** The server's data was replaced (a different data dir behind the same address): start over. */
  function restart() {
    feed?.close();
    feed = null;
    set({ ...initialState });
    void load().catch(() => retryLoad());
  }

  function retryLoad() {
    if (!stopped) setTimeout(() => void load().catch(() => retryLoad()), 2000);
  }

  return {
    getState: () => state,
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Feed events after they were applied, for panels that keep their own data. */
    onEvents(listener: (events: OrchaEvent[]) => void) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    start() {
      void load().catch(() => retryLoad());
    },
    /** Fetch something now (after an action whose answer changes what we show). */
    refresh: request,
    /** Loads the next page of older finished objectives; resolves false when there is none. */
    async loadOlder(): Promise<boolean> {
      const before = state.historyNext;
      if (before === null) return false;
      const page = await api.history(before);
      // A page answered for a cursor we no longer hold (a restart, or a page already added) is dropped.
      if (stopped || state.historyNext !== before) return false;
      set(withHistory(state, page));
      return true;
    },
    /** Drops an answered question at once; its event follows. */
    dropQuestion(questionId: string) {
      set(
        withQuestions(
          state,
          state.questions.filter((question) => question.id !== questionId),
        ),
      );
    },
    stop() {
      stopped = true;
      feed?.close();
      refresher.stop();
      activity.stop();
    },
  };
}
