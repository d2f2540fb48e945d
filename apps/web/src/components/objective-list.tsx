import { type RefObject, startTransition, useEffect, useState } from 'react';
import { useDashboard } from '../state/use-dashboard';
import { NewObjectiveForm } from './new-objective-form';
import { ObjectiveCard } from './objective-card';
import { OlderObjectives } from './older-objectives';

interface Props {
  filter: string;
  onFilter(filter: string): void;
  filterRef: RefObject<HTMLInputElement | null>;
  /** The row the keyboard cursor is on. */
  cursor: string | null;
  openSessionId: string | null;
}

/** Every active and recently finished objective with its session tree, newest first; older ones on demand. */
export function ObjectiveList({ filter, onFilter, filterRef, cursor, openSessionId }: Props) {
  const order = useDashboard((state) => state.objectiveOrder);
  const groups = useDashboard((state) => state.sessionsByObjective);
  const phase = useDashboard((state) => state.phase);
  const [creating, setCreating] = useState(false);
  // The first screenful renders at once; the rest follows in an interruptible render, so a large overview
  // answers input while it fills in below the fold.
  const [complete, setComplete] = useState(false);
  const shown = complete ? order : firstScreen(order, groups);
  useEffect(() => {
    if (complete || shown.length === order.length) return;
    // After the first screen has been painted (two frames), not competing with it.
    let timer: ReturnType<typeof setTimeout> | undefined;
    let frame = requestAnimationFrame(() => {
      frame = requestAnimationFrame(() => {
        timer = setTimeout(() => startTransition(() => setComplete(true)), 0);
      });
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [complete, shown.length, order.length]);
  return (
    <section className="panel objectives" aria-labelledby="objectives-title">
      <div className="panel-head">
        <h2 id="objectives-title">
          Objectives <span className="count">{order.length}</span>
        </h2>
        <label className="filter">
          <span className="visually-hidden">Filter sessions</span>
          <input
            ref={filterRef}
            type="search"
            value={filter}
            onChange={(event) => onFilter(event.target.value)}
            placeholder="Filter  ( / )"
            autoComplete="off"
          />
        </label>
        <button
          type="button"
          className="primary"
          aria-expanded={creating}
          onClick={() => setCreating(!creating)}
        >
          {creating ? 'Close' : 'New objective'}
        </button>
      </div>
      {creating && <NewObjectiveForm onDone={() => setCreating(false)} />}
      {phase === 'loading' && <p className="empty">Loading…</p>}
      {phase === 'ready' && order.length === 0 && !creating && (
        <p className="empty">No objectives yet. Give the team one with “New objective”.</p>
      )}
      <div className="objective-stack">
        {shown.map((id) => (
          <ObjectiveCard
            key={id}
            objectiveId={id}
            filter={filter}
            cursor={cursor}
            openSessionId={openSessionId}
          />
        ))}
      </div>
      {complete || shown.length === order.length ? <OlderObjectives /> : null}
    </section>
  );
}

const firstScreenRows = 60;

function firstScreen(order: string[], groups: Record<string, string[]>): string[] {
  let rows = 0;
  let count = 0;
  while (count < order.length && rows < firstScreenRows) rows += 1 + (groups[order[count++]!]?.length ?? 0);
  return count === order.length ? order : order.slice(0, count);
}
