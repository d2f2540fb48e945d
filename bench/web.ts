// `pnpm bench web`: the dashboard in chromium against a real `orcha serve` whose store holds 1,000 sessions.
//   overview_interactive_ms    navigation → the overview's first screen rendered and answering input (median)
//   overview_complete_ms       navigation → all 1,000 session rows in the DOM (median)
//   event_to_dom_p95_ms        a server event (its stored time) → the session's row updated in the DOM, p95
//   action_to_dom_p95_ms       the same, measured from the cancel request leaving the page
//   transcript_frame_p95_ms    frame time while scrolling a 100,000-message transcript top to bottom, p95
// The last line is one JSON object `{"bench":"web",…}`.
import { join } from 'node:path';
import { createIdGenerator } from '@orcha/model';
import { createStore } from '@orcha/store';
import { launchChromium } from '../apps/web/e2e/support/browser.ts';
import { ensureBuilt, startOrcha, tempDir } from '../apps/web/e2e/support/server.ts';

const objectives = 50;
const perObjective = 20;
const transcriptLength = 100_000;
const loads = 12;
const events = 100;

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;
const round = (value: number) => Math.round(value * 10) / 10;

/** 1,000 sessions straight into the store: finished or paused, so the scheduler leaves them alone. */
function seed(dataDir: string): { paused: string[]; long: string } {
  const store = createStore({
    path: join(dataDir, 'orcha.db'),
    clock: Date.now,
    ids: createIdGenerator(Date.now, () => Math.floor(Math.random() * 32)),
  });
  const paused: string[] = [];
  let long = '';
  for (let o = 0; o < objectives; o++) {
    const { objective, manager } = store.createObjective({
      title: `Objective ${o}: port module ${o} to the new API`,
      prompt: 'work',
      agent: 'fake',
    });
    const ids = [manager.id];
    for (let w = 1; w < perObjective; w++) {
      ids.push(
        store.createSession({
          objectiveId: objective.id,
          parentId: manager.id,
          role: 'worker',
          agent: 'fake',
          title: `Worker ${w} of objective ${o}`,
          prompt: 'p',
        }).id,
      );
    }
    ids.forEach((id, index) => {
      store.updateSession(id, {
        usage: {
          inputTokens: 1000 * index,
          outputTokens: 100 * index,
          costUsd: 0.01 * index,
          modelCalls: index,
        },
        lastActivity: `step ${index}: edited src/module-${o}.ts and ran the tests`,
      });
      if (index % 4 === 0) {
        store.updateSessionStatus(id, 'paused', { reason: 'loop guard: same error 3 times' });
        paused.push(id);
      } else {
        store.updateSessionStatus(id, 'starting');
        store.updateSessionStatus(id, 'running');
        store.updateSessionStatus(id, index % 4 === 1 ? 'failed' : 'completed', {
          reason: index % 4 === 1 ? 'exited 1' : null,
        });
        // As orcha does when a worker ends: its manager was told (else a start tells it, and wakes it).
        store.recordManagerTold(id);
      }
    });
    if (o === 0) long = ids[1]!;
  }
  const batch = Array.from({ length: 1000 }, (_, i) => ({
    at: Date.now(),
    kind: 'assistant' as const,
    text: `line ${i}: the agent reports progress on the task`,
    data: null,
  }));
  for (let i = 0; i < transcriptLength / batch.length; i++) store.appendMessages(long, batch);
  store.close();
  return { paused, long };
}

/** Reads the global feed and notes when each session was canceled, by the server's clock. */
async function watchCancels(url: string, signal: AbortSignal, canceledAt: Map<string, number>) {
  const response = await fetch(`${url}/api/events`, { signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const data = buffer
          .slice(0, end)
          .split('\n')
          .find((line) => line.startsWith('data:'));
        buffer = buffer.slice(end + 2);
        if (!data) continue;
        const event = JSON.parse(data.slice(5)) as {
          type: string;
          to?: string;
          sessionId?: string;
          at: number;
        };
        if (event.type === 'session-status-change' && event.to === 'canceled' && event.sessionId)
          canceledAt.set(event.sessionId, event.at);
      }
    }
  } catch {
    // aborted at the end
  }
}

await ensureBuilt();
const data = tempDir('orcha-bench-web-');
const started = performance.now();
const { paused, long } = seed(data.path);
console.log(
  `seeded ${objectives * perObjective} sessions and a ${transcriptLength}-message transcript in ${Math.round(performance.now() - started)} ms`,
);
const server = await startOrcha({ dataDir: data.path, args: ['--no-demo'] });
const chromium = await launchChromium();
try {
  // Overview load → interactive, fresh page each time (the first one warms the server and the disk cache).
  const times: number[] = [];
  const fetched: number[] = [];
  const completes: number[] = [];
  for (let i = 0; i <= loads; i++) {
    const context = await chromium.browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(server.url);
    // When every row is in the DOM (checked each frame), then when the first screen was interactive.
    const complete = await page.waitForFunction(
      (count) => document.querySelectorAll('a.session-row').length === count && performance.now(),
      objectives * perObjective,
      { timeout: 30_000, polling: 'raf' },
    );
    await page.waitForFunction(() => performance.getEntriesByName('orcha-interactive').length > 0, null, {
      timeout: 30_000,
    });
    const mark = await page.evaluate(() => performance.getEntriesByName('orcha-interactive')[0]!.startTime);
    const summary = await page.evaluate(() => {
      const entry = performance
        .getEntriesByType('resource')
        .find((e) => e.name.endsWith('/api/dashboard')) as PerformanceResourceTiming;
      return entry.responseEnd;
    });
    if (i > 0) {
      times.push(mark);
      completes.push((await complete.jsonValue()) as number);
      fetched.push(summary);
    }
    await context.close();
  }
  const interactive = percentile(times, 0.5);
  console.log(
    `overview interactive with 1,000 sessions: median ${round(interactive)} ms, p95 ${round(percentile(times, 0.95))} ms (${loads} loads); ` +
      `its /api/dashboard answer had arrived by ${round(percentile(fetched, 0.5))} ms, all rows were in the DOM by ${round(percentile(completes, 0.5))} ms (medians)`,
  );

  // One event → DOM: cancel paused sessions one at a time and time each row's change.
  const context = await chromium.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(server.url);
  await page.locator('[data-connection="live"]').waitFor();
  await page.waitForFunction(
    (count) => document.querySelectorAll('a.session-row').length === count,
    objectives * perObjective,
  );
  await page.evaluate(() => {
    const seen: Record<string, number> = {};
    (window as unknown as { seen: Record<string, number> }).seen = seen;
    new MutationObserver((mutations) => {
      for (const mutation of mutations) {
        const element = mutation.target as HTMLElement;
        const id = element.dataset.sessionId;
        if (id && element.dataset.status === 'canceled' && !seen[id])
          seen[id] = performance.timeOrigin + performance.now();
      }
    }).observe(document.body, { attributes: true, attributeFilter: ['data-status'], subtree: true });
  });
  const canceledAt = new Map<string, number>();
  const watcher = new AbortController();
  void watchCancels(server.url, watcher.signal, canceledAt);
  const fromEvent: number[] = [];
  const fromAction: number[] = [];
  for (const id of paused.slice(0, events)) {
    const sent = await page.evaluate(async (sessionId) => {
      const at = performance.timeOrigin + performance.now();
      await fetch(`/api/sessions/${sessionId}/cancel`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      return at;
    }, id);
    await page.waitForFunction(
      (sessionId) => (window as unknown as { seen: Record<string, number> }).seen[sessionId] !== undefined,
      id,
    );
    const shown = await page.evaluate(
      (sessionId) => (window as unknown as { seen: Record<string, number> }).seen[sessionId]!,
      id,
    );
    for (let wait = 0; !canceledAt.has(id) && wait < 100; wait++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    fromEvent.push(shown - canceledAt.get(id)!);
    fromAction.push(shown - sent);
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  watcher.abort();
  const eventP95 = percentile(fromEvent, 0.95);
  const actionP95 = percentile(fromAction, 0.95);
  console.log(
    `event → DOM: p50 ${round(percentile(fromEvent, 0.5))} ms, p95 ${round(eventP95)} ms; cancel request → DOM p95 ${round(actionP95)} ms (${fromEvent.length} events)`,
  );

  // A 100,000-message transcript, scrolled from top to bottom in 300 steps, one per frame.
  await page.goto(`${server.url}/#/session/${long}`);
  const list = page.locator('.transcript-list');
  await list.locator(`button.message[data-seq="${transcriptLength}"]`).waitFor({ timeout: 30_000 });
  // A plain script: the bench runs through tsx, whose helpers do not exist in the page.
  const frames = (await list.evaluate(`new Promise((resolve) => {
    const element = document.querySelector('.transcript-list');
    const frames = [];
    let step = 0, last = performance.now(), rows = 0;
    const tick = (now) => {
      frames.push(now - last);
      last = now;
      rows = Math.max(rows, element.querySelectorAll('.virtual-row').length);
      element.scrollTop = (step / 300) * (element.scrollHeight - element.clientHeight);
      if (++step <= 300) requestAnimationFrame(tick);
      else resolve({ frames: frames.slice(1), rows });
    };
    element.scrollTop = 0;
    requestAnimationFrame(tick);
  })`)) as { frames: number[]; rows: number };
  const frameP95 = percentile(frames.frames, 0.95);
  console.log(
    `100,000-message transcript: frame p50 ${round(percentile(frames.frames, 0.5))} ms, p95 ${round(frameP95)} ms while scrolling; at most ${frames.rows} rows in the DOM`,
  );
  await context.close();

  console.log(
    JSON.stringify({
      bench: 'web',
      overview_interactive_ms: round(interactive),
      overview_complete_ms: round(percentile(completes, 0.5)),
      event_to_dom_p95_ms: round(eventP95),
      action_to_dom_p95_ms: round(actionP95),
      transcript_frame_p95_ms: round(frameP95),
    }),
  );
} finally {
  await chromium.close();
  await server.stop();
  data.remove();
}
