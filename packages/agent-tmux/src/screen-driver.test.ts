import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentEvent, ScreenReading, TerminalAgent } from '@orcha/agent';
import { createLocalExecutor } from '@orcha/exec';
import { createPrivateTmux, createTempDir, type TempDir } from '@orcha/testkit';
import { createTmuxController } from '@orcha/tmux';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmuxProvider } from './index.js';

/**
 * A terminal program shaped like an agent TUI: it starts on a menu it does not explain (a screen orcha
 * cannot read), then shows an input box `ready>`; a submitted line makes it busy for a moment (4 s for a
 * line starting with `slow`), then it answers `answer: <line>` and is ready again. Raw mode: an Enter that arrives with text is a newline.
 */
const agentLikeTui = `
const out = (text) => process.stdout.write(text);
process.stdin.setRawMode(true);
let line = '';
let picked = false;
out('Pick one:\\r\\n❯ 1. Left\\r\\n  2. Right\\r\\n');
const ready = () => out('ready> ');
process.stdin.on('data', (chunk) => {
  const text = chunk.toString();
  if (!picked) {
    if (text === '2') { picked = true; out('\\x1b[2J\\x1b[H'); ready(); }
    return;
  }
  if (text === '\\r') {
    const said = line;
    line = '';
    out('\\r\\nbusy...\\r\\n');
    setTimeout(() => { out('\\x1b[2J\\x1b[Hanswer: ' + said + '\\r\\n'); ready(); }, said.startsWith('slow') ? 4000 : 800);
    return;
  }
  line += text.replace(/\\r/g, '\\n');
  out(text);
});
`;

function readAgentLikeScreen(screen: string): ScreenReading {
  const lines = screen.split('\n').filter((line) => line.trim() !== '');
  if (lines.some((line) => line.startsWith('busy...'))) return { kind: 'busy' };
  if (lines.at(-1)?.trim() === 'ready>') {
    const answer = lines.findLast((line) => line.startsWith('answer: '));
    return { kind: 'ready', reply: answer ? answer.slice('answer: '.length) : null };
  }
  return { kind: 'unknown' };
}

const executor = createLocalExecutor();
const server = createPrivateTmux('screen-driver');
const controller = createTmuxController({ executor, socketName: server.socketName });
let temp: TempDir;
let program: string;

beforeAll(async () => {
  temp = await createTempDir('orcha-screen-driver-');
  program = join(temp.path, 'agent-like-tui.mjs');
  await writeFile(program, agentLikeTui);
});
afterAll(async () => {
  await server.kill();
  await temp.remove();
});

describe('an agent TUI driven by its screen', () => {
  it('asks a person about a screen it cannot read, types the prompt only into a ready box, and ends turns', async () => {
    const terminal: TerminalAgent = {
      launch: async () => ({ command: ['node', program], env: {}, cleanup: async () => {} }),
      readScreen: readAgentLikeScreen,
    };
    const provider = createTmuxProvider({ socketName: server.socketName, terminal, unknownScreenMs: 300 });
    const run = await provider.start({
      sessionId: 'ses_driver1',
      prompt: 'first task',
      cwd: temp.path,
      executor,
    });
    const events: AgentEvent[] = [];
    const next = async (type: AgentEvent['type']) => {
      for await (const event of run.events) {
        events.push(event);
        if (event.type === type) return event;
      }
      throw new Error(`no ${type} event`);
    };

    const attention = await next('attention');
    expect(attention).toMatchObject({ type: 'attention', screen: expect.stringContaining('Pick one:') });
    if (attention.type === 'attention') expect(attention.message).toContain(run.attachCommand!);
    // Nothing was typed into the menu: the prompt waits for the person.
    expect(await controller.capturePane(run.attachName!)).not.toContain('first task');

    await controller.sendKeys(run.attachName!, ['2']); // the person answers on the attached screen
    expect(await next('turn-complete')).toEqual({
      type: 'turn-complete',
      result: 'first task',
      isError: false,
    });
    await run.send('second task');
    expect(await next('turn-complete')).toEqual({
      type: 'turn-complete',
      result: 'second task',
      isError: false,
    });
    expect(events.filter((event) => event.type === 'attention')).toHaveLength(1);
    // Each turn counted as a model call, before the turn ends: what a budget can see of a TUI.
    expect(
      events.flatMap((event) => (event.type === 'usage' || event.type === 'turn-complete' ? [event] : [])),
    ).toEqual([
      {
        type: 'usage',
        usage: { inputTokens: 0, outputTokens: 0, costUsd: 0, modelCalls: 1, cumulative: true },
      },
      expect.objectContaining({ type: 'turn-complete' }),
      {
        type: 'usage',
        usage: { inputTokens: 0, outputTokens: 0, costUsd: 0, modelCalls: 2, cumulative: true },
      },
      expect.objectContaining({ type: 'turn-complete' }),
    ]);
    await run.cancel();
    expect(await run.wait()).toEqual({ type: 'exited', code: null, reason: 'canceled' });
  }, 30_000);

  it('re-attached in the middle of a turn, reports the end of that turn', async () => {
    const terminal: TerminalAgent = {
      launch: async () => ({ command: ['node', program], env: {}, cleanup: async () => {} }),
      readScreen: readAgentLikeScreen,
    };
    const provider = createTmuxProvider({ socketName: server.socketName, terminal, unknownScreenMs: 60_000 });
    const first = await provider.start({
      sessionId: 'ses_driver2',
      prompt: 'slow task',
      cwd: temp.path,
      executor,
    });
    const name = first.attachName!;
    await controller.sendKeys(name, ['2']);
    for await (const event of first.events) {
      if (event.type === 'output' && event.text.includes('busy...')) break;
    }
    // orcha restarted: a new provider re-attaches while the agent still works on the task.
    const again = createTmuxProvider({ socketName: server.socketName, terminal });
    const run = await again.reattach!({
      sessionId: 'ses_driver2',
      prompt: '',
      cwd: temp.path,
      executor,
      attachName: name,
    });
    let complete: AgentEvent | undefined;
    for await (const event of run!.events) {
      if (event.type === 'turn-complete') {
        complete = event;
        break;
      }
    }
    expect(complete).toEqual({ type: 'turn-complete', result: 'slow task', isError: false });
    await run!.cancel();
    await first.cancel();
  }, 30_000);

  it('needs a command or a terminal agent, not both', () => {
    expect(() => createTmuxProvider({ socketName: server.socketName })).toThrow(/command or a terminal/);
  });
});
