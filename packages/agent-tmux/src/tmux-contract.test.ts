import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runProviderContract } from '@orcha/agent/testing';
import { createLocalExecutor } from '@orcha/exec';
import { createPrivateTmux, createTempDir } from '@orcha/testkit';
import { createTmuxController } from '@orcha/tmux';
import { createTmuxProvider } from './index.js';

/**
 * The contract's prompt language as a line-based terminal program (cooked tty, so the terminal echoes
 * what is typed): `say` prints the words on a line of their own, `recall` the earlier ones, `hang` stops
 * answering, `crash` dies as an agent whose model service failed. Its argument is the orcha session id,
 * so the harness can find its process.
 */
const promptLanguageTui = `
import { createInterface } from 'node:readline';
const said = [];
let hanging = false;
process.stdout.write('contract-tui ready\\n> ');
const lines = createInterface({ input: process.stdin, terminal: false });
lines.on('line', (line) => {
  if (hanging) return;
  const text = line.trim();
  if (text.startsWith('say ')) {
    said.push(text.slice(4).trim());
    process.stdout.write(said.at(-1) + '\\n> ');
  } else if (text === 'recall') {
    process.stdout.write(said.join(' ') + '\\n> ');
  } else if (text === 'hang') {
    hanging = true;
  } else if (text === 'crash') {
    process.stderr.write('the model service failed\\n');
    process.exit(1);
  } else {
    process.stdout.write('?\\n> ');
  }
});
lines.on('close', () => process.exit(0));
`;

runProviderContract('tmux', async () => {
  const executor = createLocalExecutor();
  const server = createPrivateTmux('agent-tmux-contract');
  const controller = createTmuxController({ executor, socketName: server.socketName });
  const temp = await createTempDir('orcha-agent-tmux-contract-');
  const program = join(temp.path, 'contract-tui.mjs');
  await writeFile(program, promptLanguageTui);
  const provider = createTmuxProvider({
    socketName: server.socketName,
    command: (spec) => ['node', program, spec.sessionId],
  });
  return {
    provider,
    resumable: false,
    spec: (sessionId, prompt) => ({ sessionId, prompt, cwd: temp.path, executor }),
    async isRunning(sessionId) {
      if (await controller.hasSession(`orcha-${sessionId}`)) return true;
      const found = await executor.run('pgrep', ['-f', `${program} ${sessionId}`]);
      return found.code === 0;
    },
    async teardown() {
      await server.kill();
      await temp.remove();
    },
  };
});
