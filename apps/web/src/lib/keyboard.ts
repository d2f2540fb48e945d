import { useEffect, useRef } from 'react';

export interface KeyHandlers {
  next(): void;
  previous(): void;
  open(): void;
  search(): void;
  escape(): void;
}

function typingInto(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/**
 * j/k move the selection, Enter opens it, / jumps to the filter, Esc closes or leaves a field. Keys typed
 * into fields (and the terminal panel) are left alone, except Esc.
 */
export function useKeyboard(handlers: KeyHandlers): void {
  const current = useRef(handlers);
  current.current = handlers;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.metaKey || event.ctrlKey || event.altKey) return;
      const h = current.current;
      if (event.key === 'Escape') {
        if (typingInto(event.target)) (event.target as HTMLElement).blur();
        h.escape();
        return;
      }
      if (typingInto(event.target)) return;
      if (event.target instanceof HTMLElement && event.target.closest('.xterm')) return;
      switch (event.key) {
        case 'j':
          event.preventDefault();
          h.next();
          break;
        case 'k':
          event.preventDefault();
          h.previous();
          break;
        case 'Enter':
          if (event.target instanceof HTMLElement && event.target.closest('button, a, summary')) return;
          event.preventDefault();
          h.open();
          break;
        case '/':
          event.preventDefault();
          h.search();
          break;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
