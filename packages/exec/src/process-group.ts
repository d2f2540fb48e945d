import { readdirSync, readFileSync } from 'node:fs';
import { poll } from './poll.js';

/** Sends `signal` to every process in the group led by `pgid`; false when the group is already gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/**
 * Whether any process of the group is still running. Zombies do not count: orphans are reparented to
 * PID 1, which in containers often never reaps them, and `kill(-pgid, 0)` would still see them. Uses
 * /proc where it exists, `kill(-pgid, 0)` elsewhere.
 */
export function groupIsAlive(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return signalGroup(pgid, 0);
  }
  for (const entry of entries) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch {
      continue;
    }
    // Fields after the parenthesised command: state ppid pgrp …
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

/**
 * Kills a process group: TERM, then KILL if anything of it (the leader, or a grandchild that outlived
 * it) is still running after `graceMs`. `leaderDone` tells whether the leader has been reaped.
 */
export async function terminateGroup(
  pgid: number,
  graceMs: number,
  leaderDone: () => boolean,
): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  const gone = await poll(() => leaderDone() && !groupIsAlive(pgid), { intervalMs: 15, timeoutMs: graceMs });
  if (!gone) signalGroup(pgid, 'SIGKILL');
}
