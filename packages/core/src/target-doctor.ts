import type { Executor } from '@orcha/exec';
import { type DoctorCheck, type DoctorReport, isOrchaError, type Target } from '@orcha/model';
import { agentCheck } from './agent-cli-check.js';
import { claudeAsRootCheck } from './claude-as-root.js';

// One round trip: the script is constant; the work root, a PATH the target sets and whether to use the login
// PATH arrive as $1..$3, never spliced into the text. The login shell prints its PATH between record
// separators, so whatever its profile prints around it is ignored.
const script = [
  'root="$1"',
  'sep=$(printf "\\036")',
  'if [ "$3" = login ]; then',
  '  shell="$SHELL"; [ -n "$shell" ] || shell=/bin/sh',
  '  login=$("$shell" -lc \'printf "\\036%s\\036" "$PATH"\' </dev/null 2>/dev/null)',
  '  case "$login" in *"$sep"*"$sep"*) login=$(printf "%s" "$login" | cut -d "$sep" -f 2);; *) login=;; esac',
  '  echo "loginpath:$login"',
  '  if [ -n "$2" ]; then PATH="$2"; elif [ -n "$login" ]; then PATH="$login"; fi',
  'fi',
  'echo "path:$PATH"',
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
  /**
   * The agent CLIs sessions will run here (claude, codex), each with the environment it is given there:
   * each is looked up on that PATH, asked its version and whether it is logged in. Without any, the doctor
   * only looks for either CLI.
   */
  agents?: readonly { name: string; env: Record<string, string> }[] | undefined;
  /**
   * Agents whose provider checks itself (ACP agents: the binary starts and answers `initialize`), each
   * run with the environment it is given here.
   */
  providerChecks?:
    | readonly {
        env: Record<string, string>;
        check: (executor: Executor, env: Record<string, string>) => Promise<DoctorCheck>;
      }[]
    | undefined;
  /**
   * SSH targets: the user's login PATH is discovered (and given to agents unless `path` is set), and
   * orcha must answer through the connection's reverse tunnel at the URL this opens.
   */
  remote?: { path: string | null; orchaUrl: () => Promise<string> } | undefined;
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
    const remote = options.remote;
    const args = [target.workRoot, remote?.path ?? '', remote ? 'login' : ''];
    const result = await executor.run('sh', ['-c', script, 'orcha-doctor', ...args], {
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
  const loginPath = lines.find((line) => line.startsWith('loginpath:'))?.slice(10) || null;
  const path = lines.find((line) => line.startsWith('path:'))?.slice(5) ?? '';
  if (options.remote) {
    checks.push(loginPathCheck(loginPath, options.remote.path));
    checks.push(await tunnelCheck(executor, options.remote.orchaUrl));
  }
  if (options.agents?.length) {
    // On an SSH target every configured CLI must be there; on orcha's machine one is enough, as before.
    const anyFound = options.agents.some((agent) => found(agent.name));
    for (const agent of options.agents) {
      checks.push(
        await agentCheck(
          executor,
          agent.name,
          { PATH: path, ...agent.env },
          {
            cli: options.agentCliRequired && (options.remote !== undefined || !anyFound),
            login: options.remote !== undefined,
          },
        ),
      );
    }
  } else checks.push(anyAgentCheck(found, where, options.agentCliRequired));
  for (const agent of options.providerChecks ?? [])
    checks.push(await agent.check(executor, { PATH: path, ...agent.env }));
  checks.push({
    name: 'gh',
    ok: found('gh'),
    required: false,
    detail: found('gh') ? where('gh') : 'gh is not installed (optional: used for a GitHub token)',
    fix: found('gh') ? null : 'optional: install the GitHub CLI and run gh auth login',
  });
  if (found('claude'))
    checks.push(
      await claudeAsRootCheck(executor, options.agents?.find((agent) => agent.name === 'claude')?.env),
    );
  if (rootOk) checks.push(diskCheck(lines, target.workRoot, options.workspaces));
  return {
    at: options.now,
    ok: checks.every((check) => check.ok || !check.required),
    checks,
    ...(options.remote ? { loginPath } : {}),
  };
}

function anyAgentCheck(
  found: (name: string) => boolean,
  where: (name: string) => string,
  required: boolean,
): DoctorCheck {
  const agents = ['claude', 'codex'].filter(found);
  return {
    name: 'agent CLI',
    ok: agents.length > 0,
    required,
    detail: agents.length
      ? agents.map((name) => `${name}: ${where(name)}`).join(', ')
      : 'neither claude nor codex is on the PATH',
    fix: agents.length
      ? null
      : 'install one: npm i -g @anthropic-ai/claude-code (or @openai/codex), then log in',
  };
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

/** Which PATH agents get on an SSH target: the login shell's, unless the target sets one. */
function loginPathCheck(loginPath: string | null, setPath: string | null): DoctorCheck {
  if (setPath)
    return { name: 'PATH', ok: true, required: false, detail: `set for this target: ${setPath}`, fix: null };
  return loginPath
    ? { name: 'PATH', ok: true, required: false, detail: `the login shell's: ${loginPath}`, fix: null }
    : {
        name: 'PATH',
        ok: false,
        required: false,
        detail: "the login shell printed no PATH; agents get the SSH server's default PATH",
        fix: 'make `$SHELL -lc true` work for the login user, or set PATH for this target (--agent-env @<target>:PATH=…)',
      };
}

// An HTTP request made on the target to its own loopback, with bash's /dev/tcp (no curl needed there).
const httpProbe =
  'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 3; printf "GET /api/health HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n" >&3; head -n 1 <&3';

/** orcha must answer through the reverse tunnel: a request from the target reaches orcha's API. */
async function tunnelCheck(executor: Executor, orchaUrl: () => Promise<string>): Promise<DoctorCheck> {
  const fix =
    "allow remote forwarding to loopback in the target's sshd_config (AllowTcpForwarding yes or remote), then run the doctor again";
  let url: URL;
  try {
    url = new URL(await orchaUrl());
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { name: 'tunnel to orcha', ok: false, required: true, detail: message, fix };
  }
  const answer = await executor
    .run('bash', ['-c', httpProbe, 'orcha-probe', url.port], { timeoutMs: 10_000 })
    .then(
      (result) => /^HTTP\/1\.[01] (\d{3})/.exec(result.stdout)?.[1] ?? null,
      (error: unknown) => (isOrchaError(error, 'not_found') ? 'unchecked' : null),
    );
  if (answer === 'unchecked')
    return {
      name: 'tunnel to orcha',
      ok: true,
      required: true,
      detail: `opened at ${url.origin} on the target; not probed (the target has no bash)`,
      fix: null,
    };
  return answer
    ? {
        name: 'tunnel to orcha',
        ok: true,
        required: true,
        detail: `agents here reach orcha at ${url.origin} (a reverse tunnel; HTTP ${answer})`,
        fix: null,
      }
    : {
        name: 'tunnel to orcha',
        ok: false,
        required: true,
        detail: `the reverse tunnel at ${url.origin} did not lead to orcha`,
        fix: `orcha did not answer a request made on the target to ${url.origin}: check that the target's sshd allows forwarding (AllowTcpForwarding) and that orcha is serving, then run the doctor again`,
      };
}
