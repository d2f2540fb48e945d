import type { ChildProcess } from 'node:child_process';
import { createTempDir, startWebhookReceiver, type TempDir, type WebhookReceiver } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrcha } from './orcha-process.js';
import { eventually } from './until.js';

const secret = 'whole-system-signing-secret';
let dir: TempDir;
let child: ChildProcess | null = null;
let receiver: WebhookReceiver | null = null;
/** 0 until the first start picks a free port; restarts take the same one. */
let port = 0;
let hookPort = 0;

/** Starts `orcha serve` as a real process with a webhook sink, its secret only in the environment. */
async function serve(): Promise<void> {
  const args = ['--port', String(port), '--data-dir', dir.path, '--no-demo'];
  args.push('--notify-webhook', `http://127.0.0.1:${hookPort}/hook`, '--schedule-interval', '200ms');
  const orcha = await startOrcha(args, { env: { ...process.env, ORCHA_WEBHOOK_SECRET: secret } });
  child = orcha.child;
  port = orcha.port;
}

async function kill9(): Promise<void> {
  const exited = new Promise((resolve) => child!.once('exit', resolve));
  child!.kill('SIGKILL'); // a crash: no chance to deliver or clean up
  await exited;
  child = null;
}

interface Listed {
  id: number;
  key: string;
  kind: string;
  deliveries: { sink: string; status: string; attempts: number; lastError: string | null }[];
}

async function notifications(): Promise<Listed[]> {
  const response = await fetch(`http://127.0.0.1:${port}/api/notifications`);
  return ((await response.json()) as { notifications: Listed[] }).notifications;
}

beforeAll(async () => {
  dir = await createTempDir('orcha-notify-');
  receiver = await startWebhookReceiver({ secret });
  hookPort = receiver.port;
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await receiver?.close();
  await dir.remove();
});

describe('the person is told', () => {
  it('signs webhooks, retries a failing receiver with the same key, and delivers across a kill -9', async () => {
    const hook = receiver!;
    hook.failNext(2); // the receiver has a bad moment: the first two attempts get HTTP 503
    await serve();
    const created = await fetch(`http://127.0.0.1:${port}/api/objectives`, {
      method: 'POST',
      body: JSON.stringify({ title: 'roll out search', prompt: 'ship the search page', agent: 'fake' }),
    });
    expect(created.status).toBe(201);
    const { objective } = (await created.json()) as { objective: { id: string } };

    // The fake rollout worker asks the person over MCP (ask_user): the webhook receives it, signed.
    const delivered = await hook.waitFor((r) => r.status === 204, 30_000);
    expect(delivered.signatureValid).toBe(true);
    const payload = JSON.parse(delivered.body) as { id: string; kind: string; title: string; body: string };
    expect(payload).toMatchObject({ kind: 'question.ask_user', objectiveId: objective.id });
    expect(payload.title).toContain('roll out search');
    expect(payload.body).toMatch(/feature flag/);
    const attempts = hook.received.filter((r) => r.headers['idempotency-key'] === payload.id);
    expect(attempts.map((r) => r.status)).toEqual([503, 503, 204]);
    expect(attempts.every((r) => r.signatureValid)).toBe(true);
    // Exponential backoff between the attempts: about 1 s, then about 2 s.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(900);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(1_900);

    const listed = await eventually(async () =>
      (await notifications()).find((n) => n.key === payload.id && n.deliveries[0]?.status === 'delivered'),
    );
    expect(listed.deliveries).toEqual([
      expect.objectContaining({ sink: `webhook:127.0.0.1:${hookPort}`, attempts: 3, lastError: null }),
    ]);
    const bad = await fetch(`http://127.0.0.1:${port}/api/notifications?limit=0`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_argument');

    // The receiver goes down; the objective is canceled; orcha dies before it can tell anyone.
    await hook.close();
    receiver = null;
    const canceled = await fetch(`http://127.0.0.1:${port}/api/objectives/${objective.id}/cancel`, {
      method: 'POST',
      body: JSON.stringify({ reason: 'not this quarter' }),
    });
    expect(canceled.status).toBe(200);
    const pending = await eventually(async () =>
      (await notifications()).find(
        (n) =>
          n.kind === 'objective.canceled' && n.deliveries[0]!.attempts >= 1 && n.deliveries[0]!.lastError,
      ),
    );
    expect(pending.deliveries[0]!.status).toBe('pending');
    await kill9();

    // Back up: the receiver on the same address, then orcha. The notification arrives, same key, signed.
    receiver = await startWebhookReceiver({ secret, port: hookPort });
    await serve();
    const late = await receiver.waitFor((r) => r.headers['idempotency-key'] === pending.key, 30_000);
    expect(late.signatureValid).toBe(true);
    expect(late.status).toBe(204);
    expect(JSON.parse(late.body)).toMatchObject({
      id: pending.key,
      kind: 'objective.canceled',
      title: 'roll out search was canceled',
    });
    const after = await eventually(async () =>
      (await notifications()).find((n) => n.key === pending.key && n.deliveries[0]!.status === 'delivered'),
    );
    expect(after.deliveries[0]!.attempts).toBeGreaterThan(pending.deliveries[0]!.attempts);
    // What was delivered before the crash is not sent again.
    expect(receiver.received.filter((r) => r.headers['idempotency-key'] === payload.id)).toEqual([]);
  }, 120_000);
});
