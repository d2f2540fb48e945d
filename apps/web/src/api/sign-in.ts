/**
 * Signs this browser in when the dashboard was opened with a login link. `orcha serve` prints
 * `/?login=<one-time code>` when a token is in force; `/?token=<API token>` works too. Either is traded at
 * once for an HttpOnly cookie (`POST /api/login`) and dropped from the address bar; requests and event
 * streams then carry the cookie by themselves. Resolves when done, whatever the outcome: a refused link
 * shows up as the API's 401 on the first request.
 */
export async function signIn(): Promise<void> {
  const url = new URL(window.location.href);
  const code = url.searchParams.get('login');
  const token = url.searchParams.get('token');
  if (!code && !token) return;
  url.searchParams.delete('login');
  url.searchParams.delete('token');
  window.history.replaceState(null, '', url);
  try {
    await fetch('/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(code ? { code } : {}),
    });
  } catch {
    // The server is unreachable: the dashboard says so on its first request.
  }
}
