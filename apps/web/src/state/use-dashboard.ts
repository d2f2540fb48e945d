import { createContext, useContext, useSyncExternalStore } from 'react';
import type { DashboardState } from './dashboard-state';
import type { DashboardStore } from './dashboard-store';

export const DashboardContext = createContext<DashboardStore | null>(null);

export function useDashboardStore(): DashboardStore {
  const store = useContext(DashboardContext);
  if (!store) throw new Error('useDashboardStore needs a DashboardContext provider');
  return store;
}

/** A slice of the overview state; the component re-renders when that slice changes identity. */
export function useDashboard<T>(select: (state: DashboardState) => T): T {
  const store = useDashboardStore();
  return useSyncExternalStore(store.subscribe, () => select(store.getState()));
}
