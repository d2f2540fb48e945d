import type { SessionDetail as SessionDetailResponse } from '@orcha/client';
import { useEffect, useState } from 'react';
import { api, errorText } from '../api/orcha';
import { useDashboardStore } from './use-dashboard';

export interface SessionDetailState {
  detail: SessionDetailResponse | null;
  error: string | null;
}

/** A session's full record (workspace, target, steering mode), refetched when the feed says it changed. */
export function useSessionDetail(sessionId: string): SessionDetailState {
  const store = useDashboardStore();
  const [state, setState] = useState<SessionDetailState>({ detail: null, error: null });
  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let controller = new AbortController();
    const load = () => {
      controller.abort();
      controller = new AbortController();
      api
        .session(sessionId, controller.signal)
        .then((detail) => {
          if (!cancelled) setState({ detail, error: null });
        })
        .catch((error: unknown) => {
          if (!cancelled && !(error instanceof DOMException))
            setState((s) => ({ ...s, error: errorText(error) }));
        });
    };
    load();
    const off = store.onEvents((events) => {
      const relevant = events.some(
        (event) =>
          'sessionId' in event &&
          event.sessionId === sessionId &&
          (event.type === 'session-status-change' || event.type === 'session-update'),
      );
      if (relevant && timer === null) {
        timer = setTimeout(() => {
          timer = null;
          load();
        }, 150);
      }
    });
    return () => {
      cancelled = true;
      off();
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [sessionId, store]);
  return state;
}
