import { execFileSync } from 'node:child_process';

/** Processes whose command line carries `tag`, seen from this machine (the test sshd is on loopback). */
export function processesTagged(tag: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', tag], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** Polls a condition about processes on the machine (no event tells of a remote process's end). */
export async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
