import type { ArtifactSummary } from '@orcha/client';
import type { Note } from '@orcha/model';
import { useEffect, useState } from 'react';
import { api, errorText } from '../api/orcha';
import { formatTime } from '../lib/format';
import { useDashboardStore } from '../state/use-dashboard';

interface Props {
  sessionId: string;
  objectiveId: string;
  role: 'manager' | 'worker';
}

/** Durable outputs: notes and artifacts this session wrote (a manager sees its whole objective's). */
export function OutputsPanel({ sessionId, objectiveId, role }: Props) {
  const store = useDashboardStore();
  const [notes, setNotes] = useState<Note[] | null>(null);
  const [artifacts, setArtifacts] = useState<ArtifactSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    const load = async () => {
      try {
        const scope = role === 'manager' ? api.objective(objectiveId) : null;
        if (scope) {
          const detail = await scope;
          if (!cancelled) {
            setNotes(detail.notes);
            setArtifacts(detail.artifacts);
          }
        } else {
          const [n, a] = await Promise.all([api.notes(sessionId), api.artifacts(sessionId)]);
          if (!cancelled) {
            setNotes(n.notes);
            setArtifacts(a.artifacts);
          }
        }
      } catch (failure) {
        if (!cancelled) setError(errorText(failure));
      }
    };
    void load();
    const off = store.onEvents((events) => {
      const mine = events.some(
        (e) =>
          (e.type === 'note-create' || e.type === 'artifact-create') &&
          (e.sessionId === sessionId || (role === 'manager' && e.objectiveId === objectiveId)),
      );
      if (mine) void load();
    });
    return () => {
      cancelled = true;
      off();
    };
  }, [sessionId, objectiveId, role, store]);

  if (error) return <p className="error">{error}</p>;
  if (!notes || !artifacts) return <p className="empty">Loading…</p>;
  return (
    <div className="outputs">
      <h3>Notes ({notes.length})</h3>
      {notes.length === 0 && <p className="empty">No notes.</p>}
      {notes.map((note) => (
        <details key={note.id} className="note" data-note-id={note.id}>
          <summary>
            {note.title} <span className="muted">{formatTime(note.createdAt)}</span>
          </summary>
          <pre>{note.body}</pre>
        </details>
      ))}
      <h3>Artifacts ({artifacts.length})</h3>
      {artifacts.length === 0 && <p className="empty">No artifacts.</p>}
      {artifacts.map((artifact) => (
        <ArtifactItem key={artifact.id} artifact={artifact} />
      ))}
    </div>
  );
}

function ArtifactItem({ artifact }: { artifact: ArtifactSummary }) {
  const [content, setContent] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const open = () => {
    if (content !== null) return;
    api
      .artifact(artifact.id)
      .then((r) => setContent(r.artifact.content))
      .catch((e: unknown) => setFailed(errorText(e)));
  };
  return (
    <details className="artifact" onToggle={open} data-artifact-id={artifact.id}>
      <summary>
        {artifact.name} <span className="muted">{artifact.mediaType}</span>
      </summary>
      {failed ? <p className="error">{failed}</p> : <pre>{content ?? 'Loading…'}</pre>}
    </details>
  );
}
