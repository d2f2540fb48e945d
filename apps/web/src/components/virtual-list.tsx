import { type ReactNode, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';

interface Props {
  count: number;
  /** Every row is exactly this tall, so any index is one multiplication away. */
  rowHeight: number;
  renderRow(index: number): ReactNode;
  /** Told which rows are on screen (plus overscan), e.g. to fetch them. */
  onRange?(first: number, last: number): void;
  /** Starts at the end and stays there as rows are added, unless scrolled away. */
  followTail?: boolean;
  label: string;
  overscan?: number;
  className?: string;
}

/**
 * A fixed-row-height virtual list: only the rows in view are in the DOM, so a 100,000-row transcript
 * scrolls like a short one. The spacer's height keeps the native scrollbar honest.
 */
export function VirtualList({
  count,
  rowHeight,
  renderRow,
  onRange,
  followTail = false,
  label,
  overscan = 12,
  className,
}: Props) {
  const ref = useRef<HTMLElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(0);
  const pinned = useRef(followTail);
  const frame = useRef<number | null>(null);

  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    setViewport(element.clientHeight);
    const observer = new ResizeObserver(() => setViewport(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // Keep the newest row in view while pinned to the end.
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element || !pinned.current) return;
    element.scrollTop = element.scrollHeight;
    setScrollTop(element.scrollTop);
  }, [count, viewport]);

  const onScroll = useCallback(() => {
    if (frame.current !== null) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      const element = ref.current;
      if (!element) return;
      pinned.current =
        followTail && element.scrollTop + element.clientHeight >= element.scrollHeight - rowHeight / 2;
      setScrollTop(element.scrollTop);
    });
  }, [followTail, rowHeight]);
  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    },
    [],
  );

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  useEffect(() => {
    // Before the first measurement the range is a guess (the top); a tail-following list would fetch rows it
    // never shows.
    if (viewport > 0 && last > first) onRange?.(first, last);
  }, [first, last, viewport, onRange]);

  const rows: ReactNode[] = [];
  for (let index = first; index < last; index++) {
    rows.push(
      <div key={index} className="virtual-row" style={{ height: rowHeight }}>
        {renderRow(index)}
      </div>,
    );
  }
  return (
    <section
      ref={ref}
      className={`virtual ${className ?? ''}`}
      onScroll={onScroll}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: the scroll area takes focus so arrow keys and Page Up/Down scroll it
      tabIndex={0}
      aria-label={label}
    >
      <div className="virtual-spacer" style={{ height: count * rowHeight }}>
        <div className="virtual-window" style={{ transform: `translateY(${first * rowHeight}px)` }}>
          {rows}
        </div>
      </div>
    </section>
  );
}
