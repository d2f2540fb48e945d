import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { delay } from '@orcha/exec';
import { createSshExecutor, type SshExecutor } from '@orcha/exec-ssh';
import { createTempDir, type LoopbackSshd, startSshd, type TempDir } from '@orcha/testkit';
import { createTmuxController, type TmuxController } from '@orcha/tmux';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processTag } from './remote-harness.js';

let sshd: LoopbackSshd;
let temp: TempDir;
let remote: SshExecutor;
let tmux: TmuxController;

beforeAll(async () => {
  temp = await createTempDir('orcha-remote-follows-');
  // OpenSSH's default: ten channels per connection.
  sshd = await startSshd({ maxSessions: 10 });
  remote = createSshExecutor({ ...sshd.client, keepaliveMs: 1_000 });
  tmux = createTmuxController({
    executor: remote,
    socketName: processTag('follows'),
    logDir: join(temp.path, 'logs'),
  });
});

afterAll(async () => {
  await sshd?.up();
  await tmux?.killServer().catch(() => {});
  remote?.close();
  await sshd?.stop();
  await temp?.remove();
});

/** What each follow has read so far. */
const read = new Map<string, string>();

/** Follows a pane to its program's end as the tmux agent does: on from the last offset after a drop. */
async function followToEnd(name: string) {
  let offset = 0;
  let text = '';
  let drops = 0;
  for (;;) {
    try {
      for await (const chunk of tmux.followPane(name, { fromOffset: offset })) {
        offset = chunk.nextOffset;
        text += Buffer.from(chunk.data).toString();
        read.set(name, text);
      }
      return { text, drops };
    } catch {
      drops++;
      await delay(100); // the machine is away: look again shortly
    }
  }
}

describe('following tmux agents on an SSH target', () => {
  it('follows 20 panes (more than MaxSessions) through a drop on a bounded set of channels: every line once, in order', async () => {
    const names = Array.from({ length: 20 }, (_, n) => `follows-${n}`);
    const lines = 60;
    // Ten lines, then a wait for the drop, then the rest: every program is still writing when the machine
    // goes away however slowly the twenty start, so every follow sees the drop.
    const go = join(temp.path, 'go');
    const program = [
      'sh',
      '-c',
      `i=0; while [ $i -lt ${lines} ]; do i=$((i+1)); echo "line-$i"; ` +
        `if [ $i -eq 10 ]; then while [ ! -e '${go}' ]; do sleep 0.05; done; fi; sleep 0.04; done`,
    ];
    for (const name of names) await tmux.newSession({ name, cwd: temp.path, command: program });
    const before = remote.channels();
    const followed = Promise.all(names.map(followToEnd));
    // The drop comes while every follow is under way and every program writing: each follow has read ten
    // lines, and each program waits for the drop to write on.
    while (!names.every((name) => read.get(name)?.includes('line-10'))) await delay(50);
    await sshd.down();
    writeFileSync(go, '');
    await delay(400); // away for a while; the programs write on
    await sshd.up();
    const results = await followed;
    const after = remote.channels();
    for (const { text, drops } of results) {
      expect(drops).toBeGreaterThan(0);
      expect(text.match(/line-\d+/g)).toEqual(Array.from({ length: lines }, (_, i) => `line-${i + 1}`));
    }
    // The 20 follows shared one channel: what is open is bounded whatever the number of panes — the
    // command shells (at most 8; 20 pane-status reads at once grow them), the follow channel and SFTP —
    // and so is what was opened, before the drop and again after it.
    expect(after.open).toBeLessThanOrEqual(10);
    expect(after.opened - before.opened).toBeLessThanOrEqual(2 * 10);
    expect(after.connections).toBeLessThanOrEqual(2);
  });
});
