import type { Executor } from '@orcha/exec';
import type { DoctorCheck } from '@orcha/model';
import { z } from 'zod';

// Run with the agent's own environment (secrets arrive as shell exports, never as arguments): where the
// CLI is on its PATH, its version, and what it says about its login. The CLI name arrives as $1.
const script = [
  'tool="$1"',
  'found=$(command -v "$tool" 2>/dev/null) || { echo "missing"; exit 0; }',
  'echo "at:$found"',
  'echo "version:$("$tool" --version </dev/null 2>/dev/null | head -n 1)"',
  'case "$tool" in',
  '  claude) out=$("$tool" auth status --json </dev/null 2>&1);;',
  '  codex) out=$("$tool" login status </dev/null 2>&1);;',
  '  *) out=;;',
  'esac',
  'echo "auth:$?"',
  'printf "%s\\n" "$out" | head -c 4000',
].join('\n');

/** The keys each CLI accepts in its environment instead of a login. */
const keyNames: Record<string, readonly string[]> = {
  claude: ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN', 'ANTHROPIC_AUTH_TOKEN'],
  codex: ['OPENAI_API_KEY', 'CODEX_API_KEY'],
};

const loginCommand: Record<string, string> = { claude: 'claude auth login', codex: 'codex login' };
const packageName: Record<string, string> = { claude: '@anthropic-ai/claude-code', codex: '@openai/codex' };

const claudeStatus = z.object({ loggedIn: z.boolean(), authMethod: z.string().optional() }).loose();

/** What the CLI said about its login: logged in (and how), or not. */
function loginOf(name: string, code: number, output: string): { ok: boolean; how: string } {
  if (name === 'claude') {
    const start = output.indexOf('{');
    try {
      const parsed = claudeStatus.safeParse(JSON.parse(output.slice(Math.max(0, start))));
      if (parsed.success)
        return {
          ok: parsed.data.loggedIn,
          how: parsed.data.loggedIn
            ? `logged in (${parsed.data.authMethod ?? 'unknown method'})`
            : 'not logged in',
        };
    } catch {
      // not JSON: an older CLI; its exit code decides below
    }
  }
  const line = output.trim().split('\n').at(-1)?.trim() ?? '';
  const ok = code === 0 && !/not logged in/i.test(line);
  return { ok, how: ok ? line || 'logged in' : line || `login status exited ${code}` };
}

/**
 * One agent CLI as a session will run it on this target: found on the PATH it will be given, its version,
 * and logged in — by its own login or by a key orcha passes in its environment. Each failure says how to
 * fix it in one line. `required.cli` says whether a missing CLI fails the target; a missing login fails
 * it only with `required.login` too (SSH targets: on orcha's own machine a provider may carry settings of
 * its own the doctor cannot see, so there it is a warning).
 */
export async function agentCheck(
  executor: Executor,
  name: string,
  env: Record<string, string>,
  required: { cli: boolean; login: boolean },
): Promise<DoctorCheck> {
  const check = (ok: boolean, detail: string, fix: string | null, needed = required.cli): DoctorCheck => ({
    name,
    ok,
    required: needed,
    detail,
    fix: ok ? null : fix,
  });
  let stdout: string;
  try {
    stdout = (await executor.run('sh', ['-c', script, 'orcha-agent-check', name], { env, timeoutMs: 30_000 }))
      .stdout;
  } catch (error) {
    return check(
      false,
      `could not run ${name}: ${error instanceof Error ? error.message : String(error)}`,
      'check that the machine answers (the connectivity check), then run the doctor again',
    );
  }
  const lines = stdout.split('\n');
  if (lines[0] === 'missing') {
    return check(
      false,
      `${name} is not on the PATH agents get here (${env.PATH ?? 'the default PATH'})`,
      `install it (npm i -g ${packageName[name] ?? name}) where the login shell's PATH finds it, or set PATH for this target`,
    );
  }
  const at = lines.find((line) => line.startsWith('at:'))?.slice(3) ?? name;
  const version =
    lines
      .find((line) => line.startsWith('version:'))
      ?.slice(8)
      .trim() || 'unknown version';
  const authAt = lines.findIndex((line) => line.startsWith('auth:'));
  const code = Number(lines[authAt]?.slice(5) ?? 1);
  const login = loginOf(name, code, lines.slice(authAt + 1).join('\n'));
  const key = (keyNames[name] ?? []).find((variable) => env[variable]);
  const detail = `${at}, ${version}`;
  if (login.ok) return check(true, `${detail}, ${login.how}`, null);
  if (key) return check(true, `${detail}, authenticated by ${key} from orcha`, null);
  return check(
    false,
    `${detail}, ${login.how}`,
    `log in on the target (${loginCommand[name] ?? `${name} login`}), or give orcha a key: --agent-env ${name}:${keyNames[name]?.[0] ?? 'API_KEY'} (its value taken from orcha's environment)`,
    required.cli && required.login,
  );
}
