import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AgentEvent, AgentRun } from '@orcha/agent';
import {
  collectUntil,
  describeEvents,
  eventLog,
  eventually,
  newSessionId,
  textOf,
} from '@orcha/agent/testing';
import { createLocalExecutor } from '@orcha/exec';
import {
  claudeCliPath,
  createClaudeCliEnvironment,
  createTempDir,
  startTestMcpServer,
  type TestMcpServer,
  userTexts,
} from '@orcha/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClaudeProvider } from './index.js';
import { type ClaudeTestbed, createClaudeTestbed } from './testing/claude-testbed.js';

let bed: ClaudeTestbed;
let mcp: TestMcpServer;
const mcpToken = `tok-${Math.random().toString(36).slice(2)}`;
const runs: AgentRun[] = [];

beforeAll(async () => {
  bed = await createClaudeTestbed();
  mcp = await startTestMcpServer({ token: mcpToken });
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

/** The events of one turn, through its `turn-complete` (or the run's end). */
const turn = (run: AgentRun) =>
  collectUntil(run, (event) => event.type === 'turn-complete' || event.type === 'exited', 30_000);

const only = <T extends AgentEvent['type']>(events: readonly AgentEvent[], type: T) =>
  events.filter((event): event is Extract<AgentEvent, { type: T }> => event.type === type);

/** Live (non-zombie) processes whose working directory is `dir`: the CLI and the tools it runs. */
function processesIn(dir: string): number[] {
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const state = readFileSync(`/proc/${entry}/stat`, 'latin1').split(') ')[1]?.[0];
      return readlinkSync(`/proc/${entry}/cwd`) === dir && state !== 'Z' ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
}

describe('claude provider (real CLI, fake model)', () => {
  it('steers one live process through several turns, with cumulative usage and the system prompt', async () => {
    const id = newSessionId();
    const before = bed.server.requests.length;
    const systemPrompt = '-- you are orcha worker 7';
    const run = track(await bed.provider.start(bed.spec(id, 'say one', { systemPrompt })));
    const first = await turn(run);
    expect(textOf(first)).toBe('one');
    expect(first.at(-1)).toEqual({ type: 'turn-complete', result: 'one', isError: false });
    await run.send('say two');
    expect(textOf(await turn(run))).toBe('two');
    await run.send('recall');
    expect(textOf(await turn(run))).toBe('one two');

    expect(bed.pids(id)).toHaveLength(1);
    const events = eventLog(run).events;
    expect(only(events, 'started')).toEqual([
      { type: 'started', providerSessionId: expect.any(String), model: 'claude-opus-5-5' },
    ]);
    // Each call is counted as its message arrives, then again by the turn's closing figures.
    const usage = only(events, 'usage').map((event) => event.usage);
    expect(usage.map((u) => [u.modelCalls, u.inputTokens])).toEqual([
      [1, 100],
      [1, 100],
      [2, 200],
      [2, 200],
      [3, 300],
      [3, 300],
    ]);
    expect(usage[5]!.costUsd).toBeGreaterThan(usage[1]!.costUsd);
    const requests = bed.server.requests.slice(before);
    expect(requests).toHaveLength(3);
    for (const request of requests) expect(request.system).toContain(systemPrompt);

    await run.cancel();
    expect(await run.wait()).toMatchObject({ type: 'exited', reason: 'canceled' });
    expect(await bed.isRunning(id)).toBe(false);
  });

  it('calls a tool of the session MCP server with its bearer token, from a private config file', async () => {
    const id = newSessionId();
    const before = bed.server.requests.length;
    const spec = bed.spec(id, 'tool echo {"text":"ping"}', { mcp: { url: mcp.url, token: mcpToken } });
    const run = track(await bed.provider.start(spec));
    const events = await turn(run);
    expect(only(events, 'tool-call'), describeEvents(events)).toEqual([
      { type: 'tool-call', id: expect.any(String), name: 'mcp__orcha__echo', input: { text: 'ping' } },
    ]);
    expect(only(events, 'tool-result')).toEqual([
      { type: 'tool-result', id: only(events, 'tool-call')[0]!.id, output: 'echo: ping', isError: false },
    ]);
    expect(textOf(events)).toBe('echo: ping');
    expect(mcp.calls).toEqual([{ text: 'ping', authorization: `Bearer ${mcpToken}` }]);
    expect(mcp.rejected).toBe(0);
    // alwaysLoad: the tool is in the model's first request, not behind ToolSearch.
    expect(bed.server.requests[before]!.tools.map((tool) => tool.name)).toContain('mcp__orcha__echo');

    const [pid] = bed.pids(id);
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    expect(args.join(' ')).not.toContain(mcpToken);
    const configPath = args[args.indexOf('--mcp-config') + 1]!;
    expect(statSync(configPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(configPath, 'utf8')).toContain(`Bearer ${mcpToken}`);
    await run.cancel();
    expect(existsSync(dirname(configPath))).toBe(false);
  });

  it('resumes a conversation: same session id, and the model sees the earlier turns', async () => {
    const id = newSessionId();
    const first = track(await bed.provider.start(bed.spec(id, 'say fig')));
    await turn(first);
    await first.cancel();
    const [started] = only(eventLog(first).events, 'started');
    const providerSessionId = started!.providerSessionId!;

    const second = track(await bed.provider.resume({ ...bed.spec(id, 'recall'), providerSessionId }));
    expect(textOf(await turn(second))).toBe('fig');
    expect(only(eventLog(second).events, 'started')[0]?.providerSessionId).toBe(providerSessionId);
    expect(userTexts(bed.server.requests.at(-1)!)).toEqual(['say fig', 'recall']);
    expect(bed.server.requests.at(-1)!.messages.some((message) => message.role === 'assistant')).toBe(true);
  });

  it('reports a usage limit as usage_exhausted with its reset time; the live process takes the next message', async () => {
    const subscription = await createClaudeCliEnvironment({ baseUrl: bed.server.url, auth: 'oauth' });
    try {
      const id = newSessionId();
      const resetsAt = Math.floor(Date.now() / 1000) + 7200;
      const run = track(
        await bed.provider.start(bed.spec(id, `limit ${resetsAt}`, { env: subscription.env })),
      );
      const limited = await turn(run);
      expect(only(limited, 'error')).toEqual([
        {
          type: 'error',
          kind: 'usage_exhausted',
          message: expect.stringMatching(/hit your .*limit/),
          resetsAt: resetsAt * 1000,
        },
      ]);
      expect(limited.at(-1)).toMatchObject({ type: 'turn-complete', isError: true });
      await run.send('rate');
      expect(only(await turn(run), 'error')).toMatchObject([{ kind: 'rate_limited', resetsAt: null }]);
      await run.send('say still here');
      expect(textOf(await turn(run))).toBe('still here');
      expect(bed.pids(id)).toHaveLength(1);
    } finally {
      await Promise.all(runs.splice(0).map((run) => run.cancel()));
      await subscription.remove();
    }
  });

  it('cancel interrupts a running tool, stops the CLI and leaves no process behind', async () => {
    const id = newSessionId();
    const run = track(await bed.provider.start(bed.spec(id, 'bash echo waiting && sleep 30')));
    await collectUntil(run, (event) => event.type === 'tool-call', 30_000);
    // The Bash tool runs in a session of its own: the CLI, not the process group, has to stop it.
    await eventually(() => processesIn(bed.workdir).length >= 2, 10_000, 'the tool to start');
    const began = Date.now();
    await run.cancel();
    expect(await run.wait()).toMatchObject({ type: 'exited', reason: 'canceled' });
    expect(Date.now() - began).toBeLessThan(5_000);
    expect(only(eventLog(run).events, 'turn-complete')).toEqual([]);
    await eventually(() => processesIn(bed.workdir).length === 0, 5_000, 'no process left in the work dir');
    await expect(run.send('say late')).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('reports a CLI that dies unexpectedly as crashed', async () => {
    const id = newSessionId();
    const run = track(await bed.provider.start(bed.spec(id, 'say alive')));
    await turn(run);
    process.kill(bed.pids(id)[0]!, 'SIGKILL');
    const events = await eventLog(run).end(10_000);
    expect(only(events, 'error')).toEqual([
      { type: 'error', kind: 'crashed', message: expect.stringContaining('SIGKILL'), resetsAt: null },
    ]);
    expect(events.at(-1)).toEqual({ type: 'exited', code: null, reason: 'crashed' });
    expect(await run.wait()).toEqual(events.at(-1));
  });

  it('reports a CLI that refuses to start with what it said on stderr', async () => {
    const broken = createClaudeProvider({
      command: claudeCliPath,
      env: bed.cli.env,
      extraArgs: ['--no-such-flag'],
    });
    const run = track(await broken.start(bed.spec(newSessionId(), 'say never')));
    const events = await eventLog(run).end(10_000);
    expect(only(events, 'error')).toEqual([
      { type: 'error', kind: 'other', message: expect.stringContaining('--no-such-flag'), resetsAt: null },
    ]);
    expect(events.at(-1)).toEqual({ type: 'exited', code: 1, reason: 'failed' });
  });
});

// Opt-in: the real CLI with the real service and this machine's login. Off by default: it spends quota
// and needs credentials and network this CI does not have.
describe.skipIf(!process.env.ORCHA_CLAUDE_LIVE)(
  'claude provider, live service (set ORCHA_CLAUDE_LIVE=1)',
  () => {
    it('answers, takes a second message on the same process, and cancels', async () => {
      const cwd = await createTempDir('orcha-claude-live-');
      try {
        const provider = createClaudeProvider({
          command: claudeCliPath,
          model: 'haiku',
          permissionMode: 'default',
        });
        const spec = {
          sessionId: newSessionId(),
          prompt: 'Reply with exactly the word: pong',
          cwd: cwd.path,
        };
        const run = track(await provider.start({ ...spec, executor: createLocalExecutor() }));
        expect(textOf(await turn(run)).toLowerCase()).toContain('pong');
        await run.send('Reply with exactly the word: ping');
        expect(textOf(await turn(run)).toLowerCase()).toContain('ping');
        expect(only(eventLog(run).events, 'started')[0]?.providerSessionId).toEqual(expect.any(String));
        await run.cancel();
        expect((await run.wait()).reason).toBe('canceled');
      } finally {
        await cwd.remove();
      }
    }, 120_000);
  },
);
