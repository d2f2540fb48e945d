import { useSyncExternalStore } from 'react';

/** The dashboard's places, kept in the URL hash so reloads and links land where they were. */
export type Route =
  | { view: 'overview'; sessionId: string | null }
  | { view: 'pulls' }
  | { view: 'targets' }
  | { view: 'notifications' }
  | { view: 'settings' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const session = /^\/session\/([A-Za-z0-9_-]+)$/.exec(path);
  if (session) return { view: 'overview', sessionId: session[1]! };
  if (path === '/pulls') return { view: 'pulls' };
  if (path === '/targets') return { view: 'targets' };
  if (path === '/notifications') return { view: 'notifications' };
  if (path === '/settings') return { view: 'settings' };
  return { view: 'overview', sessionId: null };
}

export function hrefFor(route: Route): string {
  switch (route.view) {
    case 'overview':
      return route.sessionId ? `#/session/${route.sessionId}` : '#/';
    case 'pulls':
      return '#/pulls';
    case 'targets':
      return '#/targets';
    case 'notifications':
      return '#/notifications';
    case 'settings':
      return '#/settings';
    default: {
      const unknownRoute: never = route;
      return unknownRoute;
    }
  }
}

export function navigate(route: Route): void {
  const href = hrefFor(route);
  if (window.location.hash !== href) window.location.hash = href;
}

const subscribe = (listener: () => void) => {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
};
const getHash = () => window.location.hash;

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, getHash);
  return parseRoute(hash);
}
