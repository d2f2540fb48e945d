// The notification outbox measured; see `measureNotify`.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNotifier, createWebhookSink } from '@orcha/core';
import { createIdGenerator } from '@orcha/model';
import { createStore } from '@orcha/store';
import { createTempDir, startWebhookReceiver } from '@orcha/testkit';

export interface NotifyFigures {
  notify_p99_ms: number;
  notify_lost: number;
  notify_repeats: number;
  crash_questions: number;
}

/**
 * The notification outbox to a real webhook receiver on loopback: event → signed webhook received (p99 over
 * `questions` questions), and what a kill -9 of a delivering process loses after a restart of the notifier.
 * Prints its figures as it goes. Shared by `pnpm bench notify` and `pnpm bench spend`.
 */
export async function measureNotify(questions = 300): Promise<NotifyFigures> {
  const secret = 'bench-notify-signing-secret';
  const dir = await createTempDir('orcha-bench-notify-');
  const ids = createIdGenerator(Date.now, () => Math.floor(Math.random() * 32));
  const percentile = (values: number[], p: number) =>
    [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;
  const receiver = await startWebhookReceiver({ secret });

  // Latency: one question at a time, from the store write to the receiver's arrival.
  const store = createStore({ path: join(dir.path, 'latency.db'), clock: Date.now, ids });
  const notifier = createNotifier({
    store,
    sinks: [createWebhookSink({ name: 'bench', url: receiver.url, secret })],
  });
  notifier.start();
  const { objective } = store.createObjective({ title: 'latency', prompt: 'x', agent: 'fake' });
  const latencies: number[] = [];
  for (let i = 0; i < questions; i++) {
    const prompt = `latency ${i}`;
    const arrived = receiver.waitFor((r) => r.body.includes(`"body":"${prompt}"`), 10_000);
    const start = performance.now();
    store.openQuestion({ objectiveId: objective.id, kind: 'ask_user', prompt });
    const request = await arrived;
    latencies.push(performance.now() - start);
    if (!request.signatureValid) throw new Error('a webhook arrived with a bad signature');
  }
  await notifier.stop();
  store.close();
  const p99 = percentile(latencies, 0.99);
  console.log(
    `event → webhook received: p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`,
  );

  // Loss across a kill -9: a process writes questions and delivers them until SIGKILL; a restarted notifier
  // on the same database delivers the rest.
  const crashPath = join(dir.path, 'crash.db');
  const child = spawn(
    process.execPath,
    [
      '--conditions=@orcha/source',
      '--import',
      'tsx',
      fileURLToPath(new URL('./_notify-child.ts', import.meta.url)),
      crashPath,
      receiver.url,
      secret,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  const before = receiver.received.length;
  await receiver.waitFor((r) => r.body.includes('"body":"question 200"'), 30_000);
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  const receivedBeforeCrash = receiver.received.length - before;

  const reopened = createStore({ path: crashPath, clock: Date.now, ids });
  const restarted = createNotifier({
    store: reopened,
    sinks: [createWebhookSink({ name: 'bench', url: receiver.url, secret })],
  });
  restarted.start();
  const expected = reopened
    .listEvents({ limit: 5_000 })
    .filter((event) => event.type === 'question-open')
    .map((event) => `orcha-event-${event.id}`);
  const keys = () => receiver.received.slice(before).map((r) => String(r.headers['idempotency-key']));
  for (const key of expected)
    await receiver.waitFor((r) => r.headers['idempotency-key'] === key, 30_000).catch(() => {});
  await restarted.flush();
  await restarted.stop();
  reopened.close();
  const received = keys();
  const lost = expected.filter((key) => !received.includes(key)).length;
  const repeats = received.length - new Set(received).size;
  console.log(
    `kill -9 after ${receivedBeforeCrash} deliveries: ${expected.length} questions written, ${lost} lost, ${repeats} delivered twice`,
  );
  await receiver.close();
  await dir.remove();
  return {
    notify_p99_ms: Math.round(p99 * 10) / 10,
    notify_lost: lost,
    notify_repeats: repeats,
    crash_questions: expected.length,
  };
}
