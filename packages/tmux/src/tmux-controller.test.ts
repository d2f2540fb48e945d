import { join } from 'node:path';
import { createLocalExecutor } from '@orcha/exec';
import { createPrivateTmux, createTempDir, scriptedTuiPath, type TempDir } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmuxController, type TmuxController } from './index.js';

const executor = createLocalExecutor();
const server = createPrivateTmux('tmux-controller');
let temp: TempDir;
let tmux: TmuxController;

beforeAll(async () => {
  temp = await createTempDir('orcha-tmux-');
  tmux = createTmuxController({ executor, socketName: server.socketName, logDir: join(temp.path, 'logs') });
});
afterAll(async () => {
  await server.kill();
  await temp.remove();
});

/** Follows the pane log until its text matches; returns all text read. */
async function waitForOutput(name: string, pattern: RegExp, fromOffset = 0): Promise<string> {
  const controller = new AbortController();
  let text = '';
  for await (const chunk of tmux.followPane(name, { fromOffset, signal: controller.signal })) {
    text += Buffer.from(chunk.data).toString();
    if (pattern.test(text)) {
      controller.abort();
      return text;
    }
  }
  throw new Error(`pane ${name} ended without ${pattern}:\n${text}`);
}

async function startTui(name: string) {
  await tmux.newSession({ name, cwd: temp.path, command: ['node', scriptedTuiPath], cols: 120, rows: 30 });
  await waitForOutput(name, /scripted-tui ready/);
}

async function log(name: string): Promise<string> {
  return Buffer.from((await tmux.readPane(name, 0)).data).toString();
}

describe('tmux controller: sessions', () => {
  it('creates, lists, describes and kills sessions on its own socket', async () => {
    const session = await tmux.newSession({
      name: 'orcha-basic',
      cwd: temp.path,
      command: ['sh', '-c', 'echo "$ORCHA_GREETING from $(pwd)"; stty size; exec sleep 1000'],
      env: { ORCHA_GREETING: 'hello there' },
      cols: 91,
      rows: 27,
    });
    expect(session.panePid).toBeGreaterThan(0);
    const text = await waitForOutput('orcha-basic', /27 91/);
    expect(text).toContain(`hello there from ${temp.path}`);
    expect(await tmux.hasSession('orcha-basic')).toBe(true);
    expect(await tmux.hasSession('orcha-basi')).toBe(false);
    expect(await tmux.listSessions('orcha-ba')).toEqual(['orcha-basic']);
    expect(await tmux.paneStatus('orcha-basic')).toEqual({
      panePid: session.panePid,
      dead: false,
      exitCode: null,
      signal: null,
    });
    expect(tmux.attachCommand('orcha-basic')).toBe(`tmux -L ${server.socketName} attach -t orcha-basic`);
    await tmux.killSession('orcha-basic');
    expect(await tmux.hasSession('orcha-basic')).toBe(false);
    expect(await tmux.paneStatus('orcha-basic')).toBeNull();
    await tmux.killSession('orcha-basic');
  });

  it('runs the command without a shell reading its arguments', async () => {
    await tmux.newSession({
      name: 'orcha-args',
      cwd: temp.path,
      // The program keeps its terminal: tmux 3.3 now and then shows nothing of one that exits at once.
      command: ['sh', '-c', 'printf "[%s]" "$@"; read x', 'sh', '$HOME', "it's", '`id`; exit 1'],
    });
    await waitForOutput('orcha-args', /\]$/);
    expect(await log('orcha-args')).toBe("[$HOME][it's][`id`; exit 1]");
    await tmux.killSession('orcha-args', { removeLog: true });
    await expect(tmux.readPane('orcha-args')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses a missing cwd, a bad name, and commands on a missing session', async () => {
    await expect(
      tmux.newSession({ name: 'orcha-nocwd', cwd: join(temp.path, 'missing'), command: ['true'] }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      tmux.newSession({ name: 'bad:name', cwd: temp.path, command: ['true'] }),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(tmux.sendText('orcha-none', 'x')).rejects.toMatchObject({ code: 'not_found' });
    await expect(tmux.capturePane('orcha-none')).rejects.toMatchObject({ code: 'not_found' });
    expect(await tmux.listSessions('orcha-none')).toEqual([]);
  });

  it('lists nothing, without error, when no server runs on the socket', async () => {
    const idle = createTmuxController({ executor, socketName: `${server.socketName}-idle` });
    expect(await idle.listSessions()).toEqual([]);
    expect(await idle.hasSession('orcha-x')).toBe(false);
  });

  it('prefixes the attach command with the target ssh command', () => {
    const remote = {
      ...executor,
      describe: () => ({ ...executor.describe(), sshCommand: 'ssh -t -p 2222 bot@box' }),
    };
    const controller = createTmuxController({ executor: remote, socketName: 'orcha' });
    expect(controller.attachCommand('orcha-ses_1')).toBe(
      'ssh -t -p 2222 bot@box tmux -L orcha attach -t orcha-ses_1',
    );
  });
});

// A hundred confirmed round trips each: ~6 s alone, three times that on a 2-core machine running other tests.
const hundredSteersMs = 60_000;

describe('tmux controller: steering', () => {
  it('delivers 100 lines to the scripted TUI without losing one Enter', {
    timeout: hundredSteersMs,
  }, async () => {
    await startTui('orcha-tui');
    for (let i = 1; i <= 100; i++) {
      const result = await tmux.sendText('orcha-tui', `line-${String(i).padStart(3, '0')}`);
      expect(result).toMatchObject({ echoed: true, entered: true, enterAttempts: 1 });
    }
    const got = (await log('orcha-tui')).match(/got: .*/g)?.map((line) => line.trim());
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => `got: line-${String(i + 1).padStart(3, '0')}`));
    await tmux.killSession('orcha-tui');
  });

  it('the scripted TUI is strict: text and Enter in one read lose the Enter', async () => {
    await startTui('orcha-strict');
    await tmux.sendKeys('orcha-strict', ['-l', 'naive\r']);
    await waitForOutput('orcha-strict', /naive/);
    expect(await log('orcha-strict')).not.toContain('got: naive');
    // A separate, confirmed Enter submits what was typed (the lost Enter became a newline).
    expect((await tmux.sendText('orcha-strict', '')).entered).toBe(true);
    expect(await log('orcha-strict')).toContain('got: naive\\n');
    await tmux.killSession('orcha-strict');
  });

  it('waits out a busy program instead of letting text and Enter pile up together', async () => {
    await startTui('orcha-busy');
    await tmux.sendText('orcha-busy', 'sleep 400');
    const result = await tmux.sendText('orcha-busy', 'after-busy');
    expect(result.entered).toBe(true);
    expect(result.elapsedMs).toBeGreaterThan(200);
    await waitForOutput('orcha-busy', /got: after-busy\r*\n/);
    await tmux.killSession('orcha-busy');
  });

  it('sends multi-line text through a paste buffer as one input', async () => {
    await startTui('orcha-paste');
    const result = await tmux.sendText('orcha-paste', 'first line\nsecond line');
    expect(result.entered).toBe(true);
    await waitForOutput('orcha-paste', /got: first line\\nsecond line/);
    await tmux.killSession('orcha-paste');
  });

  it('steers a shell 100 times, every command run', { timeout: hundredSteersMs }, async () => {
    await tmux.newSession({ name: 'orcha-sh', cwd: temp.path, command: ['sh'], env: { PS1: '$ ' } });
    for (let i = 1; i <= 100; i++) {
      const result = await tmux.sendText('orcha-sh', `echo got: ${i}`);
      expect(result.entered).toBe(true);
    }
    await tmux.sendText('orcha-sh', 'echo done-marker');
    const text = await waitForOutput('orcha-sh', /^done-marker\r?$/m);
    // The shell's outputs, wherever they land: on a slow machine the next command's echo (typed ahead once
    // Enter was seen) can come before an output on the same line.
    const got = text.match(/(?<!echo )got: \d+/g);
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => `got: ${i + 1}`));
    await tmux.killSession('orcha-sh');
  });
});

describe('tmux controller: output', () => {
  it('streams the pane through pipe-pane and reads it by byte offset', async () => {
    await startTui('orcha-stream');
    const start = (await tmux.readPane('orcha-stream')).nextOffset;
    await tmux.sendText('orcha-stream', 'spam 3000');
    const streamed = await waitForOutput('orcha-stream', /spam line 3000\r*\n/, start);
    expect(streamed.match(/spam line \d+/g)).toHaveLength(3000);
    const whole = await tmux.readPane('orcha-stream', 0);
    expect(Buffer.from(whole.data).subarray(start).toString().startsWith(streamed)).toBe(true);
    const tail = await tmux.readPane('orcha-stream', whole.nextOffset - 10);
    expect(Buffer.from(tail.data).toString()).toBe(Buffer.from(whole.data).subarray(-10).toString());
    expect(tail.nextOffset).toBe(whole.nextOffset);
    await tmux.killSession('orcha-stream');
  });

  it('captures the screen, with escapes on request', async () => {
    await tmux.newSession({
      name: 'orcha-capture',
      cwd: temp.path,
      command: ['sh', '-c', "printf 'plain \\033[31mred\\033[0m\\n'; exec sleep 1000"],
    });
    await waitForOutput('orcha-capture', /red/);
    const plain = await tmux.capturePane('orcha-capture');
    expect(plain.split('\n')[0]).toBe('plain red');
    expect(await tmux.capturePane('orcha-capture', { escapes: true })).toContain('\x1b[31mred');
    await tmux.killSession('orcha-capture');
  });

  it('ends the follow when the program exits and keeps its exit status', async () => {
    await startTui('orcha-exit');
    await tmux.sendText('orcha-exit', 'exit 7');
    const chunks: string[] = [];
    for await (const chunk of tmux.followPane('orcha-exit')) chunks.push(Buffer.from(chunk.data).toString());
    expect(chunks.join('')).toContain('got: exit 7');
    expect(await tmux.paneStatus('orcha-exit')).toMatchObject({ dead: true, exitCode: 7 });
    await tmux.killSession('orcha-exit');
    expect(await tmux.hasSession('orcha-exit')).toBe(false);
  });

  it('gives a follow begun at once every byte, up to those written just before the program exits, 30 at once', async () => {
    const names = Array.from({ length: 30 }, (_, n) => `orcha-quick-${n}`);
    // Each program waits for a line, then writes and exits at once: its last bytes reach the log after
    // the pane is dead, and only the follow's final read can give them.
    const texts = await Promise.all(
      names.map(async (name) => {
        await tmux.newSession({
          name,
          cwd: temp.path,
          command: ['sh', '-c', 'read x; printf "%s-end" "$1"', 'sh', name],
        });
        const text = (async () => {
          let read = '';
          for await (const chunk of tmux.followPane(name)) read += Buffer.from(chunk.data).toString();
          return read;
        })();
        await tmux.sendKeys(name, ['Enter']);
        return (await text).trim();
      }),
    );
    expect(texts).toEqual(names.map((name) => `${name}-end`));
    for (const name of names) await tmux.killSession(name, { removeLog: true });
  });

  it('ends the follow when the session is killed', async () => {
    await startTui('orcha-killed');
    const follow = (async () => {
      let bytes = 0;
      for await (const chunk of tmux.followPane('orcha-killed')) bytes += chunk.data.length;
      return bytes;
    })();
    await tmux.killSession('orcha-killed');
    expect(await follow).toBeGreaterThan(0);
  });
});
