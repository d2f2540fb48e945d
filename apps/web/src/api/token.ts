/**
 * The API token, for a server that listens beyond loopback. Open the dashboard once as `/?token=<token>`:
 * it is kept for this browser tab (sessionStorage) and dropped from the address bar.
 */
const key = 'orcha.token';

function readToken(): string | null {
  try {
    const url = new URL(window.location.href);
    const given = url.searchParams.get('token');
    if (given) {
      sessionStorage.setItem(key, given);
      url.searchParams.delete('token');
      window.history.replaceState(null, '', url);
      return given;
    }
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

const token = typeof window === 'undefined' ? null : readToken();

export function authHeaders(): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** EventSource cannot send headers: the server also accepts the token as `access_token`. */
export function streamUrl(path: string): string {
  if (!token) return path;
  return `${path}${path.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}`;
}
