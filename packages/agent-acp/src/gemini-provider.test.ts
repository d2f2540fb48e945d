import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AgentEvent, AgentRun, PermissionQuestion } from '@orcha/agent';
import { collectUntil, eventLog, eventually, newSessionId, textOf } from '@orcha/agent/testing';
import { geminiCliPath, startTestMcpServer, type TestMcpServer } from '@orcha/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chatFileMinute, createGeminiProvider, utcMinute } from './gemini.js';
import { createGeminiTestbed, type GeminiTestbed, geminiTestModel } from './testing/gemini-testbed.js';

let bed: GeminiTestbed;
let mcp: TestMcpServer;
const runs: AgentRun[] = [];

beforeAll(async () => {
  bed = await createGeminiTestbed();
  mcp = await startTestMcpServer({ token: `tok-${Math.random().toString(36).slice(2)}` });
});
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.cancel().catch(() => {})));
});
afterAll(async () => {
  await Promise.all([bed?.teardown(), mcp?.stop()]);
});

const track = (run: AgentRun) => {
  runs.push(run);
  eventLog(run);
  return run;
};
const turn = (run: AgentRun) =>
  collectUntil(run, (event) => event.type === 'turn-complete' || event.type === 'exited', 30_000);
const only = <T extends AgentEvent['type']>(events: readonly AgentEvent[], type: T) =>
  events.filter((event): event is Extract<AgentEvent, { type: T }> => event.type === type);
const withMcp = () => ({ mcp: { url: mcp.url, token: mcp.token as string } });

/** Live (non-zombie) processes in a process group. */
function groupMembers(pgid: number): number[] {
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'latin1').split(') ')[1]?.split(' ') ?? [];
      return fields[0] !== 'Z' && Number(fields[3]) === pgid ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
}

describe('gemini over ACP (real CLI, fake model)', () => {
  it('calls a tool of orcha MCP server with the bearer token, once the workspace is trusted', async () => {
    const id = newSessionId();
    const before = mcp.calls.length;
    const run = track(await bed.provider.start(bed.spec(id, 'tool echo {"text":"ping"}', withMcp())));
    const events = await turn(run);
    expect(textOf(events)).toBe('echo: ping');
    // Without GEMINI_CLI_TRUST_WORKSPACE the CLI silently drops every MCP server: no tool, no call.
    expect(bed.server.requests.at(-1)?.functions).toContain('mcp_orcha_echo');
    expect(mcp.calls.slice(before)).toEqual([{ text: 'ping', authorization: `Bearer ${mcp.token}` }]);
    const [call] = only(events, 'tool-call');
    expect(call).toMatchObject({ name: expect.stringContaining('echo') });
    expect(only(events, 'tool-result')).toEqual([
      { type: 'tool-result', id: call?.id, output: 'echo: ping', isError: false },
    ]);
    // Two model calls (the tool call, then the answer) of 12 in / 3 out each, from the result's _meta.quota.
    expect(only(events, 'usage').at(-1)?.usage).toMatchObject({ inputTokens: 24, outputTokens: 6 });
  }, 60_000);

  it('asks a person under the ask policy and acts on the answer; refuses under deny', async () => {
    const asking = createGeminiProvider({
      command: process.execPath,
      args: [geminiCliPath],
      model: geminiTestModel,
      env: bed.cli.env,
      permission: 'ask',
    });
    const before = mcp.calls.length;
    const asked: PermissionQuestion[] = [];
    let answer: (allow: boolean) => void = () => {};
    const askPermission = (question: PermissionQuestion) => {
      asked.push(question);
      return new Promise<boolean>((resolve) => {
        answer = resolve;
      });
    };
    const run = track(
      await asking.start(
        bed.spec(newSessionId(), 'tool echo {"text":"may I"}', { ...withMcp(), askPermission }),
      ),
    );
    await collectUntil(run, (event) => event.type === 'tool-call', 30_000);
    await eventually(() => asked.length === 1, 10_000, 'the question');
    expect(asked[0]).toMatchObject({ id: expect.any(String), title: expect.stringContaining('echo') });
    expect(mcp.calls.length).toBe(before); // the agent waits for the person
    answer(true);
    expect(textOf(await turn(run))).toBe('echo: may I');
    expect(mcp.calls.slice(before).map((call) => call.text)).toEqual(['may I']);

    const denying = createGeminiProvider({
      command: process.execPath,
      args: [geminiCliPath],
      model: geminiTestModel,
      env: bed.cli.env,
      permission: 'deny',
    });
    const refused = track(
      await denying.start(bed.spec(newSessionId(), 'tool echo {"text":"no"}', withMcp())),
    );
    const events = await turn(refused);
    expect(mcp.calls.slice(before).map((call) => call.text)).toEqual(['may I']);
    // Refused: the tool never ran and the turn still ended.
    expect(only(events, 'tool-call')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'turn-complete' });
  }, 90_000);

  it('runs as one process that SIGTERM stops, and sends nothing past the fake model', async () => {
    const sink = await startConnectSink();
    try {
      const proxy = `http://127.0.0.1:${sink.port}`;
      const id = newSessionId();
      const env = { HTTPS_PROXY: proxy, https_proxy: proxy, HTTP_PROXY: proxy, http_proxy: proxy };
      const run = track(await bed.provider.start(bed.spec(id, 'say hi', { env })));
      expect(textOf(await turn(run))).toBe('hi');
      const [pgid] = bed.pids(id);
      // GEMINI_CLI_NO_RELAUNCH: no second node process under the first.
      expect(groupMembers(pgid as number)).toHaveLength(1);
      await run.cancel();
      expect(await run.wait()).toMatchObject({ reason: 'canceled' });
      expect(groupMembers(pgid as number)).toEqual([]);
      // Usage statistics, telemetry and update checks are off: no CONNECT to any Google host.
      expect(sink.connects).toEqual([]);
    } finally {
      await sink.stop();
    }
  }, 60_000);

  it('finds the minute a session was created in, which a session/load must not share', async () => {
    const id = newSessionId();
    const run = track(await bed.provider.start(bed.spec(id, 'say early')));
    await turn(run);
    const started = only(eventLog(run).events, 'started')[0];
    const minute = await chatFileMinute(
      bed.spec(id, '').executor,
      bed.cli.env,
      started?.providerSessionId ?? '',
    );
    const now = new Date();
    expect([utcMinute(now), utcMinute(new Date(now.getTime() - 60_000))]).toContain(minute);
  }, 60_000);

  it('is checked by the doctor: initialize answers, with what the agent advertises', async () => {
    const executor = bed.spec(newSessionId(), '').executor;
    const check = await bed.provider.check?.(executor, bed.cli.env);
    expect(check).toMatchObject({ name: 'gemini', ok: true, fix: null });
    expect(check?.detail).toMatch(/answers initialize: protocol 1; session\/load; MCP over HTTP/);
    const broken = createGeminiProvider({ command: process.execPath, args: ['-e', 'process.exit(3)', '--'] });
    const failed = await broken.check?.(executor, {});
    expect(failed).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/process.exit\(3\).*exited with code 3 before answering initialize/),
    });
    expect(failed?.fix).toMatch(/must start an Agent Client Protocol agent/);
  }, 60_000);

  it('reports the agent dying under it as a crash', async () => {
    const id = newSessionId();
    const run = track(await bed.provider.start(bed.spec(id, 'say alive')));
    await turn(run);
    process.kill(bed.pids(id)[0] as number, 'SIGKILL');
    const events = await eventLog(run).end(15_000);
    expect(only(events, 'error')).toEqual([expect.objectContaining({ kind: 'crashed' })]);
    expect(events.at(-1)).toMatchObject({ type: 'exited', reason: 'crashed' });
  }, 60_000);
});

/** An HTTP proxy that records every CONNECT target and refuses it. */
async function startConnectSink(): Promise<{ port: number; connects: string[]; stop(): Promise<void> }> {
  const connects: string[] = [];
  const server: Server = createServer((socket) => {
    socket.once('data', (data) => {
      const [method, target] = data.toString('latin1').split(' ');
      connects.push(`${method} ${target}`);
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    connects,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
