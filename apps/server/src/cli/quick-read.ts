import { request as httpRequest } from 'node:http';
import { endpointOf } from './endpoint.js';
import { exit } from './exit-codes.js';

/** The read commands whose `--json` output is one GET's answer, and that GET. */
export const quickReads = {
  ls: '/api/dashboard',
  targets: '/api/targets',
  prs: '/api/pull-requests',
} as const;

/**
 * `orcha ls --json` (and the other `quickReads`) without loading the CLI: a short-lived command spends most
 * of its time loading modules (commander, the typed client, node's fetch) and re-encoding a large answer,
 * so these print the server's JSON as it arrives. Only the plain form is taken (the command, `--json`,
 * `--url`), and only a 200 answer: anything else resolves to null and the full CLI runs the command, so
 * argument errors, API errors and an unreachable server are reported in one place.
 */
export async function quickRead(argv: readonly string[], env = process.env): Promise<number | null> {
  let command: string | undefined;
  let json = false;
  let url: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--url' && i + 1 < argv.length) url = argv[++i];
    else if (arg.startsWith('--url=')) url = arg.slice('--url='.length);
    else if (arg.startsWith('-') || command !== undefined) return null;
    else command = arg;
  }
  if (!json || command === undefined || !Object.hasOwn(quickReads, command)) return null;
  const path = quickReads[command as keyof typeof quickReads];
  const { baseUrl, token } = endpointOf(url, env);
  let target: URL;
  try {
    target = new URL(`${baseUrl.replace(/\/+$/, '')}${path}`);
  } catch {
    return null;
  }
  // TLS is loaded only for an https server: it costs a loopback call more than the call itself.
  const make =
    target.protocol === 'https:'
      ? (await import('node:https')).request
      : target.protocol === 'http:'
        ? httpRequest
        : null;
  if (!make) return null;
  const outcome = await new Promise<'printed' | 'declined' | 'cut'>((resolve) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const outgoing = make(target, { headers, agent: false }, (incoming) => {
      if (incoming.statusCode !== 200 || !incoming.headers['content-type']?.startsWith('application/json')) {
        incoming.resume();
        return resolve('declined');
      }
      incoming.on('data', (chunk: Buffer) => process.stdout.write(chunk));
      incoming.once('end', () => process.stdout.write('\n', () => resolve('printed')));
      incoming.once('error', () => resolve('cut'));
    });
    // Before an answer: nothing printed yet, the full CLI tries and reports.
    outgoing.once('error', () => resolve('declined'));
    outgoing.end();
  });
  if (outcome === 'declined') return null;
  if (outcome === 'printed') return exit.ok;
  process.stderr.write('orcha: the connection broke in the middle of the answer (unavailable)\n');
  return exit.failed;
}
