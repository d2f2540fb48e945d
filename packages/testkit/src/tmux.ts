import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

/** The scripted TUI (`node scripted-tui.mjs`): a prompt, `got: <line>` per submitted line. See the file. */
export const scriptedTuiPath = fileURLToPath(new URL('./scripted-tui.mjs', import.meta.url));

export interface PrivateTmux {
  /** Pass as `tmux -L <socketName>` (or to the controller): a server of its own. */
  readonly socketName: string;
  /** Runs raw tmux on this socket (no controller in between): for baselines and assertions. */
  tmux(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Kills this socket's tmux server, and with it every session on it. */
  kill(): Promise<void>;
}

/**
 * A private tmux server for one test file: a unique `-L` socket, so tests never see or touch the user's
 * sessions. Call `kill()` in afterAll.
 */
export function createPrivateTmux(label = 'test'): PrivateTmux {
  const socketName = `orcha-${label}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const tmux = (args: readonly string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('tmux', ['-L', socketName, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
  return {
    socketName,
    tmux,
    async kill() {
      await tmux(['kill-server']);
    },
  };
}
