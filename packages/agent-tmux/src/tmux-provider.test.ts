import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rmdir } from 'node:fs/promises';
import type { AgentEvent, AgentRun } from '@orcha/agent';
import { createLocalExecutor } from '@orcha/exec';
import { createPrivateTmux, createTempDir, scriptedTuiPath, type TempDir } from '@orcha/testkit';
import { createTmuxController } from '@orcha/tmux';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmuxProvider } from './index.js';

const executor = createLocalExecutor();
const server = createPrivateTmux('agent-tmux');
const controller = createTmuxController({ executor, socketName: server.socketName });
const tui = createTmuxProvider({ socketName: server.socketName, command: () => ['node', scriptedTuiPath] });
let temp: TempDir;
let counter = 0;

beforeAll(async () => {
  temp = await createTempDir('orcha-agent-tmux-');
});
afterAll(async () => {
  await server.kill();
  await temp.remove();
});

/** Pids of the running (not zombie) children of `pid`. */
async function childrenOf(pid: number): Promise<number[]> {
  const result = await executor.run('ps', ['-o', 'pid=,stat=', '--ppid', String(pid)]);
  return result.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([child, state]) => child && !state?.startsWith('Z'))
    .map(([child]) => Number(child));
}

/** Whether all `pids` are gone (or zombies) within a second: the terminal's hang-up is asynchronous. */
async function goneSoon(pids: number[]): Promise<boolean> {
  const deadline = Date.now() + 1000;
  while (Date.now() < deadline) {
    const result = await executor.run('ps', ['-o', 'stat=', '-p', pids.join(',')]);
    if (result.stdout.split('\n').every((state) => state.trim() === '' || state.trim().startsWith('Z')))
      return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

const spec = (prompt = '') => ({ sessionId: `ses_t${++counter}`, prompt, cwd: temp.path, executor });

/** Reads a run's events in the background; `until` waits for the transcript text to match. */
function watch(run: AgentRun) {
  const seen: AgentEvent[] = [];
  let notify = () => {};
  const done = (async () => {
    for await (const event of run.events) {
      seen.push(event);
      notify();
    }
  })();
  const text = () =>
    seen
      .filter((event) => event.type === 'output')
      .map((event) => event.text)
      .join('');
  const until = async (pattern: RegExp) => {
    while (!pattern.test(text())) {
      await new Promise<void>((resolve) => {
        notify = resolve;
      });
    }
  };
  return { seen, text, until, done };
}

describe('tmux provider', () => {
  it('runs a TUI: prompt typed, steering, snapshot, attach info, transcript without escapes, exit', async () => {
    const run = await tui.start(spec('hello'));
    const events = watch(run);
    expect(run.attachName).toBe(`orcha-ses_t${counter}`);
    expect(run.attachCommand).toBe(`tmux -L ${server.socketName} attach -t orcha-ses_t${counter}`);
    await events.until(/got: hello/);
    await run.send('second message');
    await events.until(/got: second message/);
    expect(await run.snapshot?.()).toContain('got: second message');
    await run.send('exit 0');
    expect(await run.wait()).toEqual({ type: 'exited', code: 0, reason: 'completed' });
    await events.done;
    expect(events.seen[0]).toEqual({ type: 'started', providerSessionId: null, model: null });
    expect(events.seen.at(-1)).toEqual({ type: 'exited', code: 0, reason: 'completed' });
    const outputs = events.seen.filter((event) => event.type === 'output');
    expect(outputs.map((event) => event.raw).join('')).toContain('\x1b[?2004h');
    expect(events.text()).not.toContain('\x1b');
    expect(await controller.hasSession(run.attachName!)).toBe(false);
    await expect(run.send('too late')).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('rides out a log it cannot follow for a while (as after a drop) and follows on once it can', async () => {
    const run = await tui.start(spec('hello'));
    const events = watch(run);
    await events.until(/got: hello/);
    // The log turns unreadable: every follow fails while the pane answers. The program is not given up
    // for that (a machine back from a drop may refuse channels for a while): the fault lasts 2.5 s, past
    // a dozen failed follows.
    const log = controller.logPath(run.attachName!);
    await rename(log, `${log}.away`);
    await mkdir(log);
    // The follow under way reads on from the file it opened: end it, so the next ones meet the fault.
    await executor.run('pkill', ['-f', `^tail .* ${log}$`]);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await rmdir(log);
    await rename(`${log}.away`, log);
    await run.send('after the fault');
    await events.until(/got: after the fault/);
    await run.send('exit 0');
    expect(await run.wait()).toEqual({ type: 'exited', code: 0, reason: 'completed' });
  });

  it('reports a non-zero exit as failed, with an error event', async () => {
    const run = await tui.start(spec('exit 3'));
    const events = watch(run);
    expect(await run.wait()).toEqual({ type: 'exited', code: 3, reason: 'failed' });
    await events.done;
    expect(events.seen.some((event) => event.type === 'error' && event.message.includes('code 3'))).toBe(
      true,
    );
  });

  it('cancel kills the session and its program', async () => {
    const run = await tui.start(spec('sleep-free'));
    const events = watch(run);
    await events.until(/got: sleep-free/);
    const status = await controller.paneStatus(run.attachName!);
    const program = await childrenOf(status!.panePid);
    expect(program).toHaveLength(1);
    await run.cancel();
    expect(await run.wait()).toEqual({ type: 'exited', code: null, reason: 'canceled' });
    await events.done;
    expect(await controller.hasSession(run.attachName!)).toBe(false);
    expect(await goneSoon([status!.panePid, ...program])).toBe(true);
  });

  it('re-attaches to a still-running session by name, and returns null for a gone one', async () => {
    const first = await tui.start(spec('before restart'));
    const firstEvents = watch(first);
    await firstEvents.until(/got: before restart/);
    // A new provider instance stands for orcha after a restart.
    const again = createTmuxProvider({ socketName: server.socketName, command: () => ['false'] });
    const run = await again.reattach!({ ...spec(), attachName: first.attachName! });
    expect(run).not.toBeNull();
    const events = watch(run!);
    await events.until(/got: before restart/); // the screen as it was, recorded once
    await run!.send('after restart');
    await events.until(/got: after restart/);
    await run!.cancel();
    expect((await run!.wait()).reason).toBe('canceled');
    expect((await first.wait()).reason).toBe('crashed');
    expect(await again.reattach!({ ...spec(), attachName: first.attachName! })).toBeNull();
  });

  it('follows the live session of a run started again after orcha died before recording its name', async () => {
    const first = await tui.start(spec('started once'));
    const firstEvents = watch(first);
    await firstEvents.until(/got: started once/);
    // orcha died between new-session and recording the name: the next start of the session (a restart, or
    // the replica that leads next) finds it alive and follows it instead of starting a second program.
    const again = createTmuxProvider({ socketName: server.socketName, command: () => ['false'] });
    const run = await again.start({ ...spec(), sessionId: `ses_t${counter - 1}`, prompt: 'never typed' });
    expect(run.attachName).toBe(first.attachName);
    const events = watch(run);
    await events.until(/got: started once/);
    await run.send('once more');
    await events.until(/got: once more/);
    expect(events.text()).not.toContain('never typed');
    await run.cancel();
    expect((await run.wait()).reason).toBe('canceled');
    expect((await first.wait()).reason).toBe('crashed');
  });

  it('steers a shell 100 times without losing an Enter', async () => {
    const shell = createTmuxProvider({
      socketName: server.socketName,
      command: () => ['sh'],
      typePrompt: false,
    });
    const run = await shell.start({ ...spec(), env: { PS1: '$ ' } });
    const events = watch(run);
    for (let i = 1; i <= 100; i++) await run.send(`echo got: ${i}`);
    await run.send('exit 0');
    expect((await run.wait()).reason).toBe('completed');
    await events.done;
    // The shell's outputs, wherever they land: on a slow machine the next command's echo (typed ahead once
    // Enter was seen) can come before an output on the same line.
    const got = events.text().match(/(?<!echo )got: \d+/g);
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => `got: ${i + 1}`));
  }, 60_000);

  it('hands the program its environment through a private file, never through argv', async () => {
    const shell = createTmuxProvider({
      socketName: server.socketName,
      command: () => ['sh'],
      typePrompt: false,
    });
    const run = await shell.start({ ...spec(), env: { PS1: '$ ', ORCHA_SECRET: "sek'rit 1" } });
    const events = watch(run);
    await run.send('echo "got: $ORCHA_SECRET"');
    await events.until(/^got: sek'rit 1$/m);
    const processes = await executor.run('ps', ['-eo', 'args']);
    expect(processes.stdout).not.toContain("sek'rit");
    // The pane's command names the file; the program's start removed it.
    const status = await controller.paneStatus(run.attachName!);
    const paneCommand = await readFile(`/proc/${status!.panePid}/cmdline`, 'utf8');
    const envFile = /\/tmp\/orcha-env\.\w+\/env/.exec(paneCommand)?.[0];
    expect(envFile).toBeDefined();
    expect(existsSync(envFile!)).toBe(false);
    await run.send('exit 0');
    expect((await run.wait()).reason).toBe('completed');
    await events.done;
  });

  it('has no conversation to resume, and never starts a second program for the same session', async () => {
    await expect(tui.resume({ ...spec(), providerSessionId: 'x' })).rejects.toMatchObject({
      code: 'capability_unsupported',
    });
    const same = spec();
    const run = await tui.start(same);
    const second = await tui.start(same);
    expect(second.attachName).toBe(run.attachName);
    const sessions = await executor.run('tmux', ['-L', server.socketName, 'list-sessions', '-F', '#S']);
    expect(sessions.stdout.split('\n').filter((name) => name === run.attachName)).toHaveLength(1);
    await second.cancel();
    expect((await run.wait()).reason).toBe('crashed');
  });

  it('is interactive', () => {
    expect(tui.interactivity).toBe('interactive');
    expect(tui.name).toBe('tmux');
  });
});
