// The process `bench/notify.ts` kills with SIGKILL: it opens questions as fast as it can while its notifier
// delivers them, until it is killed. Arguments: the SQLite path, the webhook URL, the secret.
import { createNotifier, createWebhookSink } from '@orcha/core';
import { createIdGenerator } from '@orcha/model';
import { createStore } from '@orcha/store';

const [path, url, secret] = process.argv.slice(2) as [string, string, string];
const store = createStore({
  path,
  clock: Date.now,
  ids: createIdGenerator(Date.now, () => Math.floor(Math.random() * 32)),
});
const notifier = createNotifier({
  store,
  sinks: [createWebhookSink({ name: 'bench', url, secret })],
  retry: { baseMs: 50 },
});
notifier.start();
const { objective } = store.createObjective({ title: 'crash', prompt: 'crash', agent: 'fake' });
process.stdout.write('ready\n');
for (let i = 0; ; i++) {
  store.openQuestion({ objectiveId: objective.id, kind: 'ask_user', prompt: `question ${i}` });
  await new Promise((resolve) => setTimeout(resolve, 2));
}
