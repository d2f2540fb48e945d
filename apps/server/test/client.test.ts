import { createFakeProvider } from '@orcha/agent';
import { createOrchaClient, OrchaApiError, readEventStream, result } from '@orcha/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFrame, checkResponse } from './contract.js';
import { type Harness, startHarness } from './harness.js';

let harness: Harness;
beforeAll(async () => {
  const provider = createFakeProvider({
    script: async (agent) => {
      agent.say(`got: ${agent.prompt}`);
      for (;;) agent.say(`steered: ${await agent.waitForInput()}`);
    },
  });
  harness = await startHarness({ providers: { fake: provider } });
});
afterAll(() => harness.close({ remove: true }));

describe('@orcha/client against a real server', () => {
  it('creates, reads and steers through the generated client, with the API’s errors as OrchaApiError', async () => {
    const client = createOrchaClient({ baseUrl: harness.url });
    const created = await result(
      client.POST('/api/objectives', { body: { title: 'typed', prompt: 'hello', agent: 'fake' } }),
    );
    await checkResponse('POST', '/api/objectives', 201, created);
    expect(created.manager.role).toBe('manager');
    const id = created.manager.id;
    await harness.until(() => harness.store.getSession(id).status === 'waiting_input' || null);
    const detail = await result(client.GET('/api/sessions/{id}', { params: { path: { id } } }));
    expect(detail.session.id).toBe(id);
    const page = await result(
      client.GET('/api/sessions/{id}/messages', { params: { path: { id }, query: { limit: 10 } } }),
    );
    expect(page.messages.some((m) => m.text.startsWith('got: ') && m.text.includes('hello'))).toBe(true);
    const steered = await result(
      client.POST('/api/sessions/{id}/messages', { params: { path: { id } }, body: { text: 'more' } }),
    );
    expect(['live', 'restart', 'queued']).toContain(steered.delivery);
    const missing = await result(
      client.GET('/api/objectives/{id}', { params: { path: { id: 'obj_nope' } } }),
    ).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(OrchaApiError);
    expect(missing).toMatchObject({ status: 404, code: 'not_found' });
    const unreachable = await result(
      createOrchaClient({ baseUrl: 'http://127.0.0.1:1' }).GET('/api/health'),
    ).catch((error: unknown) => error);
    expect(unreachable).toMatchObject({ status: 0, code: 'unavailable' });
  });

  it('reads the change feed as typed frames and resumes after the last one with Last-Event-ID', async () => {
    const start = harness.store.latestEventId();
    const controller = new AbortController();
    const seen: number[] = [];
    const feed = readEventStream('/api/events', {
      baseUrl: harness.url,
      lastEventId: start,
      signal: controller.signal,
    });
    const creating = harness.orchestrator.createObjective({ title: 'feed', prompt: 'p', agent: 'fake' });
    for await (const frame of feed) {
      await checkFrame('/api/events', frame);
      if (frame.event === 'hello') continue;
      seen.push(frame.id);
      expect(frame.data.id).toBe(frame.id);
      if (frame.event === 'objective-create') {
        expect(frame.data.title).toBe('feed');
        break;
      }
    }
    await creating;
    expect(seen[0]).toBe(start + 1);
    const last = seen[seen.length - 1]!;
    // A new reader that resumes from the last id it saw gets the next event and nothing before it.
    const resumed = readEventStream('/api/events', { baseUrl: harness.url, lastEventId: last });
    for await (const frame of resumed) {
      await checkFrame('/api/events', frame);
      if (frame.event === 'hello') continue;
      expect(frame.id).toBe(last + 1);
      break;
    }
    controller.abort();
  });

  it('reads a transcript to its end, resuming from a seq', async () => {
    const { manager } = await harness.orchestrator.createObjective({
      title: 'transcript',
      prompt: 'words',
      agent: 'fake',
    });
    await harness.until(() => harness.store.getSession(manager.id).status === 'waiting_input' || null);
    await harness.orchestrator.steer(manager.id, 'more');
    await harness.until(() => harness.store.getSession(manager.id).messageCount >= 3 || null);
    await harness.orchestrator.cancelSession(manager.id);
    const read = async (lastEventId: number) => {
      const frames = [];
      const path = `/api/sessions/${manager.id}/stream` as const;
      for await (const frame of readEventStream(path, { baseUrl: harness.url, lastEventId })) {
        await checkFrame(path, frame);
        frames.push(frame);
      }
      return frames;
    };
    const all = await read(0);
    const seqs = all.flatMap((frame) => (frame.event === 'message' ? [frame.data.seq] : []));
    expect(seqs.length).toBeGreaterThan(1);
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
    expect(all.at(-1)).toEqual({ event: 'end', data: { status: 'canceled' } });
    const resumed = await read(seqs[0]!);
    expect(resumed.flatMap((frame) => (frame.event === 'message' ? [frame.id] : []))).toEqual(seqs.slice(1));
  });

  it('throws the API’s refusal instead of retrying it', async () => {
    const stream = readEventStream('/api/sessions/ses_nope/stream', { baseUrl: harness.url });
    await expect(stream.next()).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });
});
