import type { TranscriptMessage } from '@orcha/model';
import { useState } from 'react';
import { formatTime } from '../lib/format';
import { useTranscript } from '../state/use-transcript';
import { VirtualList } from './virtual-list';

const rowHeight = 22;

/** The transcript as a virtual list of one-line rows; the selected message is shown in full below. */
export function Transcript({
  sessionId,
  total,
  ended,
}: {
  sessionId: string;
  total: number;
  ended: boolean;
}) {
  const transcript = useTranscript(sessionId, total, ended);
  const [selected, setSelected] = useState<number | null>(null);
  const chosen = selected === null ? undefined : transcript.message(selected);
  const renderRow = (index: number) => {
    const seq = index + 1;
    const message = transcript.message(seq);
    if (!message) {
      return (
        <div className="message loading" data-seq={seq}>
          <span className="seq">{seq}</span>
          <span className="muted">…</span>
        </div>
      );
    }
    return <MessageRow message={message} selected={selected === seq} onSelect={() => setSelected(seq)} />;
  };
  return (
    <div className="transcript">
      {transcript.total === 0 ? (
        <p className="empty">No messages yet.</p>
      ) : (
        <VirtualList
          count={transcript.total}
          rowHeight={rowHeight}
          renderRow={renderRow}
          onRange={transcript.ensure}
          followTail
          label={`Transcript, ${transcript.total} messages`}
          className="transcript-list"
        />
      )}
      {transcript.error && (
        <p className="error" role="alert">
          {transcript.error}
        </p>
      )}
      <div className="inspector" aria-live="polite">
        {chosen ? (
          <>
            <p className="inspector-head">
              #{chosen.seq} · {chosen.kind} · {formatTime(chosen.at)}
            </p>
            <pre className="inspector-body">{chosen.text}</pre>
          </>
        ) : (
          <p className="muted">Select a message to read it in full. Scroll up to page back.</p>
        )}
      </div>
    </div>
  );
}

function MessageRow({
  message,
  selected,
  onSelect,
}: {
  message: TranscriptMessage;
  selected: boolean;
  onSelect(): void;
}) {
  const firstLine = message.text.split('\n', 1)[0] ?? '';
  return (
    <button
      type="button"
      className={`message kind-${message.kind}${selected ? ' selected' : ''}`}
      data-seq={message.seq}
      onClick={onSelect}
      aria-pressed={selected}
    >
      <span className="seq">{message.seq}</span>
      <span className="at">{formatTime(message.at)}</span>
      <span className="kind">{message.kind.replace('_', ' ')}</span>
      <span className="text">{firstLine || '\u00a0'}</span>
    </button>
  );
}
