import type { Executor } from '@orcha/exec';
import type { DoctorCheck } from '@orcha/model';

/** The one line `orcha serve` and the doctor say when claude would refuse to run as root. */
export const claudeAsRootWarning =
  'claude refuses to run headless sessions (--permission-mode bypassPermissions) as root: run orcha as a normal user, or set IS_SANDBOX=1 if this machine is a sandbox you can throw away';

/** Whether claude, started by `uid` with `IS_SANDBOX` as given, refuses bypassPermissions. */
export function claudeRefusesRoot(uid: number | undefined, isSandbox: string | undefined): boolean {
  return uid === 0 && isSandbox !== '1';
}

// Constant script: the user id, then IS_SANDBOX as the agent's processes on this target would see it.
const probe = 'id -u; printf "%s\\n" "$IS_SANDBOX"';

/**
 * The doctor's check for claude on a target: fails (not required: codex still runs) when sessions there run
 * as root without IS_SANDBOX=1, which claude refuses at start; the fix names both ways out.
 */
export async function claudeAsRootCheck(
  executor: Executor,
  /** The environment orcha gives claude on this target (`--agent-env`), which may set IS_SANDBOX. */
  agentEnvironment: Record<string, string> = {},
): Promise<DoctorCheck> {
  const result = await executor.run('sh', ['-c', probe], { env: agentEnvironment, timeoutMs: 10_000 });
  const [uid, isSandbox] = result.stdout.split('\n');
  const refuses = result.code === 0 && claudeRefusesRoot(Number(uid), isSandbox);
  return {
    name: 'claude as root',
    ok: !refuses,
    required: false,
    detail: refuses
      ? 'sessions run as root without IS_SANDBOX=1'
      : result.code === 0 && Number(uid) === 0
        ? 'root, with IS_SANDBOX=1'
        : 'not root',
    fix: refuses ? claudeAsRootWarning : null,
  };
}
