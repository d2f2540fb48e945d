// The edge of a real `orcha serve` process: DNS rebinding is refused before anything runs, `--auth`
// requires a token on loopback too and signs the dashboard in with a one-time link, and only page routes
// answer HTML.
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { poll } from '@orcha/exec';
import { createTempDir, type TempDir } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OrchaProcess, startOrcha } from './orcha-process.js';

/** Starts `orcha serve` as a real process; ready once it serves and, with a token in force, printed its login link. */
async function serve(dir: TempDir, args: string[]): Promise<OrchaProcess> {
  return startOrcha(['--port', '0', '--data-dir', dir.path, '--no-demo', ...args], {
    ready: ({ stdout }) => !args.includes('--auth') || stdout.includes('login link'),
  });
}

/** A raw HTTP request with any Host header (fetch picks its own). */
function raw(
  orcha: OrchaProcess,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: any; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: orcha.port, method, path, headers }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      response.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {}
        resolve({ status: response.statusCode ?? 0, body: parsed, headers: response.headers });
      });
    });
    req.once('error', reject);
    req.end(body);
  });
}

describe('DNS rebinding', () => {
  let dir: TempDir;
  let orcha: OrchaProcess;
  beforeAll(async () => {
    dir = await createTempDir('orcha-rebind-');
    orcha = await serve(dir, ['--allowed-host', 'orcha.test']);
  }, 60_000);
  afterAll(async () => {
    await orcha?.stop();
    await dir?.remove();
  });

  it('refuses a rebound name with 403 forbidden_host and runs nothing, whatever its Origin', async () => {
    const proof = join(dir.path, 'proof');
    type Dashboard = { targets: { doctor: unknown }[]; latestEventId: number };
    const dashboard = async () => (await (await fetch(`${orcha.url}/api/dashboard`)).json()) as Dashboard;
    // The local target's doctor runs once at start; its report is an event of its own, so wait it out.
    const settled = await poll(async () => (await dashboard()).targets.every((target) => target.doctor), {
      intervalMs: 50,
      timeoutMs: 30_000,
    });
    expect(settled).toBe(true);
    const before = await dashboard();
    const host = `rebind.example:${orcha.port}`;
    const response = await raw(
      orcha,
      'POST',
      '/api/targets',
      { host, origin: `http://${host}` },
      JSON.stringify({
        name: 'rb',
        kind: 'local',
        work_root: join(dir.path, 'rb'),
        bootstrap: `id > ${proof}`,
      }),
    );
    expect(response.status).toBe(403);
    expect(response.body).toEqual({ error: { code: 'forbidden_host', message: expect.any(String) } });
    // Nothing was created and no bootstrap ran: no target, no event, no proof file.
    const after = await dashboard();
    expect(after.targets).toEqual(before.targets);
    expect(after.latestEventId).toBe(before.latestEventId);
    expect(existsSync(proof)).toBe(false);
    // Reads, the change feed, MCP and the dashboard's files are behind the same check.
    for (const path of ['/api/dashboard', '/api/events', '/mcp/ses_x', '/', '/index.html']) {
      const read = await raw(orcha, 'GET', path, { host });
      expect(read.status, path).toBe(403);
    }
  });

  it('answers loopback names, IP addresses and names given with --allowed-host', async () => {
    for (const host of [
      `127.0.0.1:${orcha.port}`,
      `localhost:${orcha.port}`,
      `[::1]:${orcha.port}`,
      `orcha.test:${orcha.port}`,
    ]) {
      const response = await raw(orcha, 'GET', '/api/health', { host });
      expect(response.status, host).toBe(200);
    }
    // Without --auth on loopback, the seed's bare curl line keeps working.
    const health = await fetch(`${orcha.url}/api/health`);
    expect(health.status).toBe(200);
  });

  it('answers HTML only on page routes and JSON 404 everywhere else', async () => {
    const page = await fetch(`${orcha.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    for (const path of [
      '/API/x',
      '//api/x',
      '/.well-known/oauth-authorization-server',
      '/mcp/ses_x/y',
      '/x',
    ]) {
      const response = await raw(orcha, 'GET', path, { host: `127.0.0.1:${orcha.port}` });
      expect(response.status, path).toBe(404);
      expect(response.headers['content-type'], path).toContain('application/json');
      expect(response.body, path).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    }
  });
});

describe('--auth', () => {
  let dir: TempDir;
  let orcha: OrchaProcess;
  beforeAll(async () => {
    dir = await createTempDir('orcha-auth-');
    orcha = await serve(dir, ['--auth']);
  }, 60_000);
  afterAll(async () => {
    await orcha?.stop();
    await dir?.remove();
  });

  it('requires a token on loopback, and signs a browser in once with the printed link', async () => {
    const link = /one-time login link: (\S+)/.exec(orcha.stdout())?.[1];
    const token = /API token for scripts \(Authorization: Bearer …\): (\S+)/.exec(orcha.stdout())?.[1];
    expect(link).toMatch(new RegExp(`^${orcha.url}/\\?login=`));
    expect(token).toBeTruthy();
    const code = new URL(link!).searchParams.get('login')!;

    const anonymous = await fetch(`${orcha.url}/api/dashboard`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    // The page itself loads (it holds no data), so it can sign in.
    expect((await fetch(`${orcha.url}/`)).status).toBe(200);

    const login = () =>
      fetch(`${orcha.url}/api/login`, {
        method: 'POST',
        headers: { origin: orcha.url, 'content-type': 'application/json' },
        body: JSON.stringify({ code }),
      });
    const signedIn = await login();
    expect(signedIn.status).toBe(200);
    const setCookie = signedIn.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const cookie = setCookie.split(';')[0]!;

    expect((await fetch(`${orcha.url}/api/dashboard`, { headers: { cookie } })).status).toBe(200);
    const events = new AbortController();
    const stream = await fetch(`${orcha.url}/api/events`, { headers: { cookie }, signal: events.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    events.abort();

    // The link is spent; the token still works for curl.
    expect((await login()).status).toBe(401);
    const bearer = await fetch(`${orcha.url}/api/dashboard`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(bearer.status).toBe(200);
  });
});
