import { useCallback, useEffect, useState } from 'react';

/** `system` follows prefers-color-scheme; the toggle pins light or dark and remembers it. */
export type ThemeChoice = 'system' | 'light' | 'dark';

const key = 'orcha.theme';

function readChoice(): ThemeChoice {
  try {
    const stored = localStorage.getItem(key);
    return stored === 'light' || stored === 'dark' ? stored : 'system';
  } catch {
    return 'system';
  }
}

export function useTheme(): { choice: ThemeChoice; cycle: () => void } {
  const [choice, setChoice] = useState<ThemeChoice>(readChoice);
  useEffect(() => {
    const root = document.documentElement;
    if (choice === 'system') root.removeAttribute('data-theme');
    else root.setAttribute('data-theme', choice);
    try {
      if (choice === 'system') localStorage.removeItem(key);
      else localStorage.setItem(key, choice);
    } catch {
      // Private windows may refuse storage; the choice still holds for this page.
    }
  }, [choice]);
  const cycle = useCallback(
    () => setChoice((current) => (current === 'system' ? 'dark' : current === 'dark' ? 'light' : 'system')),
    [],
  );
  return { choice, cycle };
}
