import type { Executor } from '@orcha/exec';
import type { DoctorCheck, DoctorReport, Target } from '@orcha/model';

// One round trip: the script is constant and the work root arrives as $1, never spliced into the text.
const script = [
  'root="$1"',
  'for tool in tmux git claude codex gh; do',
  '  if found=$(command -v "$tool" 2>/dev/null); then echo "tool:$tool:ok:$found"; else echo "tool:$tool:missing:"; fi',
  'done',
  'if mkdir -p -- "$root" 2>/dev/null && probe="$root/.orcha-doctor-$$" && : > "$probe" 2>/dev/null && rm -f -- "$probe"; then',
  '  echo "root:ok"',
  'else',
  '  echo "root:fail"',
  'fi',
].join('\n');

/**
 * Checks that a target can run sessions: it answers, has tmux and git, its work root is writable, and at
 * least one agent CLI is installed (unless agents are fake); gh is informational. Each failing check says
 * how to fix it.
 */
export async function runDoctor(
  executor: Executor,
  target: Pick<Target, 'workRoot' | 'kind'>,
  options: { now: number; agentCliRequired: boolean },
): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  let output = '';
  try {
    const result = await executor.run('sh', ['-c', script, 'orcha-doctor', target.workRoot], { timeoutMs: 20_000 });
    output = result.stdout;
    checks.push({ name: 'connectivity', ok: true, required: true, detail: `reached ${executor.describe().host}`, fix: null });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    checks.push({
      name: 'connectivity',
      ok: false,
      required: true,
      detail: message,
      fix:
        target.kind === 'ssh'
          ? 'check host, port and user, that key-based login works (ssh -o BatchMode=yes user@host true), and that the host key is trusted'
          : 'orcha could not run a shell on this machine',
    });
    return { at: options.now, ok: false, checks };
  }
  const lines = output.split('\n');
  const tool = (name: string) => lines.find((line) => line.startsWith(`tool:${name}:`))?.split(':') ?? [];
  const found = (name: string) => tool(name)[2] === 'ok';
  const where = (name: string) => tool(name).slice(3).join(':');
  for (const name of ['tmux', 'git'] as const) {
    checks.push({
      name,
      ok: found(name),
      required: true,
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
    detail: agents.length ? agents.map((name) => `${name}: ${where(name)}`).join(', ') : 'neither claude nor codex is on the PATH',
    fix: agents.length ? null : 'install one: npm i -g @anthropic-ai/claude-code (or @openai/codex), then log in',
  });
  checks.push({
    name: 'gh',
    ok: found('gh'),
    required: false,
    detail: found('gh') ? where('gh') : 'gh is not installed (optional: used for a GitHub token)',
    fix: found('gh') ? null : 'optional: install the GitHub CLI and run gh auth login',
  });
  return { at: options.now, ok: checks.every((check) => check.ok || !check.required), checks };
}
