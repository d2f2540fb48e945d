import type { Executor } from '@orcha/exec';
import { type DoctorCheck, type DoctorReport, isOrchaError, type Target } from '@orcha/model';

// One round trip: the script is constant and the work root arrives as $1, never spliced into the text.
const script = [
  'root="$1"',
  'for tool in tmux git claude codex gh; do',
  '  if found=$(command -v "$tool" 2>/dev/null); then echo "tool:$tool:ok:$found"; else echo "tool:$tool:missing:"; fi',
  'done',
  'if mkdir -p -- "$root" 2>/dev/null && probe="$root/.orcha-doctor-$$" && : > "$probe" 2>/dev/null && rm -f -- "$probe"; then',
  '  echo "root:ok"',
  '  echo "du:$(du -sk -- "$root" 2>/dev/null | cut -f1)"',
  '  echo "df:$(df -Pk -- "$root" 2>/dev/null | tail -n 1)"',
  'else',
  '  echo "root:fail"',
  'fi',
].join('\n');

/** Below this much free space on the work root's volume the disk check warns. */
const lowDiskKb = 1024 * 1024;

/** `1536` KiB → `1.5 MiB`. */
export function formatKb(kb: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = kb;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

export interface DoctorOptions {
  now: number;
  agentCliRequired: boolean;
  tmuxRequired: boolean;
  /** What the workspace clean-up just did on this target, for the disk check. */
  workspaces?: { kept: number; removed: number } | undefined;
}

function connectivityFailure(error: unknown, target: DoctorTarget): DoctorCheck {
  const message = error instanceof Error ? error.message : String(error);
  const hostKey = isOrchaError(error, 'forbidden') ? error.details?.hostKey : undefined;
  const fingerprint = isOrchaError(error) ? String(error.details?.fingerprint ?? '') : '';
  const trust = `POST /api/targets/${target.id ?? '<id>'}/trust-host-key with {"fingerprint":"${fingerprint}"}`;
  const fix =
    hostKey === 'unknown'
      ? `the host presents ${fingerprint}. Compare it with the host's own key (on the host: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub); if they match, trust it: ${trust}`
      : hostKey === 'changed'
        ? `the host's key changed to ${fingerprint}: this happens when a machine is reinstalled, or when someone intercepts the connection. Verify it on the host (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) before trusting it: ${trust}`
        : target.kind === 'ssh'
          ? 'check host, port and user, and that key-based login works (ssh -o BatchMode=yes -i <identity file> user@host true)'
          : 'orcha could not run a shell on this machine';
  return { name: 'connectivity', ok: false, required: true, detail: message, fix };
}

type DoctorTarget = Pick<Target, 'workRoot' | 'kind'> & { id?: string | undefined };

/**
 * Checks that a target can run sessions: it answers (with a trusted host key), has tmux and git, its work
 * root is writable, and at least one agent CLI is installed (unless agents are fake); gh and the disk are
 * informational. Each failing check says how to fix it.
 */
export async function runDoctor(
  executor: Executor,
  target: DoctorTarget,
  options: DoctorOptions,
): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  let output = '';
  try {
    const result = await executor.run('sh', ['-c', script, 'orcha-doctor', target.workRoot], {
      timeoutMs: 20_000,
    });
    output = result.stdout;
    const where = executor.describe();
    checks.push({
      name: 'connectivity',
      ok: true,
      required: true,
      detail: `reached ${where.user}@${where.host}`,
      fix: null,
    });
  } catch (error) {
    checks.push(connectivityFailure(error, target));
    return { at: options.now, ok: false, checks };
  }
  const seen = executor.hostKey?.();
  if (seen?.status === 'trusted') {
    checks.push({
      name: 'host key',
      ok: true,
      required: false,
      detail: `${seen.fingerprint} (${seen.keyType}), trusted`,
      fix: null,
    });
  }
  const lines = output.split('\n');
  const tool = (name: string) => lines.find((line) => line.startsWith(`tool:${name}:`))?.split(':') ?? [];
  const found = (name: string) => tool(name)[2] === 'ok';
  const where = (name: string) => tool(name).slice(3).join(':');
  for (const name of ['tmux', 'git'] as const) {
    checks.push({
      name,
      ok: found(name),
      required: name === 'git' || options.tmuxRequired,
      detail: found(name) ? where(name) : `${name} is not on the PATH`,
      fix: found(name) ? null : `install ${name} (e.g. sudo apt-get install -y ${name})`,
    });
  }
  const rootOk = lines.includes('root:ok');
  checks.push({
    name: 'work root',
    ok: rootOk,
    required: true,
    detail: rootOk ? `${target.workRoot} is writable` : `${target.workRoot} cannot be created or written`,
    fix: rootOk ? null : `create ${target.workRoot} and make it writable by the login user`,
  });
  const agents = ['claude', 'codex'].filter(found);
  checks.push({
    name: 'agent CLI',
    ok: agents.length > 0,
    required: options.agentCliRequired,
    detail: agents.length
      ? agents.map((name) => `${name}: ${where(name)}`).join(', ')
      : 'neither claude nor codex is on the PATH',
    fix: agents.length
      ? null
      : 'install one: npm i -g @anthropic-ai/claude-code (or @openai/codex), then log in',
  });
  checks.push({
    name: 'gh',
    ok: found('gh'),
    required: false,
    detail: found('gh') ? where('gh') : 'gh is not installed (optional: used for a GitHub token)',
    fix: found('gh') ? null : 'optional: install the GitHub CLI and run gh auth login',
  });
  if (rootOk) checks.push(diskCheck(lines, target.workRoot, options.workspaces));
  return { at: options.now, ok: checks.every((check) => check.ok || !check.required), checks };
}

/** How much the work root holds and how much room is left; informational. */
function diskCheck(
  lines: readonly string[],
  workRoot: string,
  workspaces: DoctorOptions['workspaces'],
): DoctorCheck {
  const used = Number.parseInt(lines.find((line) => line.startsWith('du:'))?.slice(3) ?? '', 10);
  const free = Number.parseInt(
    lines
      .find((line) => line.startsWith('df:'))
      ?.slice(3)
      .trim()
      .split(/\s+/)[3] ?? '',
    10,
  );
  const parts = [
    Number.isFinite(used) ? `${workRoot} uses ${formatKb(used)}` : `the size of ${workRoot} is unknown`,
  ];
  if (Number.isFinite(free)) parts.push(`${formatKb(free)} free`);
  if (workspaces)
    parts.push(`${workspaces.kept} workspaces kept, ${workspaces.removed} finished ones removed now`);
  const low = Number.isFinite(free) && free < lowDiskKb;
  return {
    name: 'disk',
    ok: !low,
    required: false,
    detail: parts.join('; '),
    fix: low
      ? `free space on the volume of ${workRoot}; finished sessions' workspaces are removed once their objective ends and their pull request is closed`
      : null,
  };
}
