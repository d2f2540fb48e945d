import type { TranscriptMessage } from '@orcha/model';
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { api } from '../api/orcha';

export const transcriptPageSize = 200;
/** Beyond this many cached messages, pages far from the view are dropped (and refetched if scrolled back). */
const maxCached = 20_000;

function parseMessage(data: string, sessionId: string): TranscriptMessage | null {
  try {
    const value: unknown = JSON.parse(data);
    if (typeof value !== 'object' || value === null) return null;
    const message = value as Partial<TranscriptMessage>;
    if (
      message.sessionId !== sessionId ||
      typeof message.seq !== 'number' ||
      typeof message.text !== 'string'
    )
      return null;
    return value as TranscriptMessage;
  } catch {
    return null;
  }
}

/**
 * A transcript of any length, held sparsely by seq (seqs run 1..total). Pages of 200 are fetched with
 * `?after=` for whatever rows come into view; new messages arrive on the session stream, which starts
 * after the count known at opening.
 */
export function useTranscript(sessionId: string, knownTotal: number, ended: boolean) {
  const cache = useRef(new Map<number, TranscriptMessage>());
  const pages = useRef(new Set<number>());
  const [, bump] = useReducer((n: number) => n + 1, 0);
  const [seenTotal, setSeenTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const openedAt = useRef(knownTotal);
  const total = Math.max(knownTotal, seenTotal);

  const ensure = useCallback(
    (firstIndex: number, lastIndex: number) => {
      const firstPage = Math.floor(firstIndex / transcriptPageSize);
      const lastPage = Math.floor(Math.max(firstIndex, lastIndex - 1) / transcriptPageSize);
      if (cache.current.size > maxCached) {
        for (const page of [...pages.current]) {
          if (page >= firstPage - 10 && page <= lastPage + 10) continue;
          pages.current.delete(page);
          for (let seq = page * transcriptPageSize + 1; seq <= (page + 1) * transcriptPageSize; seq++)
            cache.current.delete(seq);
        }
      }
      for (let page = firstPage; page <= lastPage; page++) {
        if (pages.current.has(page)) continue;
        pages.current.add(page);
        api
          .messages(sessionId, page * transcriptPageSize, transcriptPageSize)
          .then((result) => {
            for (const message of result.messages) cache.current.set(message.seq, message);
            setSeenTotal((seen) => Math.max(seen, result.total));
            setError(null);
            bump();
          })
          .catch((failure: unknown) => {
            pages.current.delete(page);
            setError(failure instanceof Error ? failure.message : String(failure));
          });
      }
    },
    [sessionId],
  );

  useEffect(() => {
    if (ended) return;
    let frame: number | null = null;
    let latest = openedAt.current;
    const source = new EventSource(
      `/api/sessions/${encodeURIComponent(sessionId)}/stream?after=${openedAt.current}`,
    );
    source.addEventListener('message', (event) => {
      const message = parseMessage((event as MessageEvent<string>).data, sessionId);
      if (!message) return;
      cache.current.set(message.seq, message);
      latest = Math.max(latest, message.seq);
      if (frame === null) {
        frame = requestAnimationFrame(() => {
          frame = null;
          setSeenTotal((seen) => Math.max(seen, latest));
          bump();
        });
      }
    });
    // The stream ends once the session is finished and everything was sent.
    source.addEventListener('end', () => source.close());
    return () => {
      source.close();
      if (frame !== null) cancelAnimationFrame(frame);
    };
  }, [sessionId, ended]);

  return {
    total,
    error,
    message: (seq: number) => cache.current.get(seq),
    ensure,
  };
}
