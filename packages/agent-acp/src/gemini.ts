import type { AgentProvider, AgentSpec } from '@orcha/agent';
import type { Executor } from '@orcha/exec';
import { OrchaError } from '@orcha/model';
import { type AcpLaunch, createAcpProvider } from './acp-provider.js';
import type { PermissionPolicy } from './permission.js';

export interface GeminiProviderSettings {
  /** The agent name (default `gemini`). */
  name?: string | undefined;
  /** The gemini executable (default `gemini`), and arguments before `--acp` (e.g. a bundle path for `node`). */
  command?: string | undefined;
  args?: readonly string[] | undefined;
  env?: Record<string, string> | undefined;
  /** `-m <model>`; without it the CLI routes every turn through a classifier call first. */
  model?: string | undefined;
  permission?: PermissionPolicy | undefined;
}

/**
 * Settings that turn off usage statistics, telemetry and update checks (acp.md §7.3): written to
 * `~/.gemini/settings.json` on the target when that file does not exist yet.
 */
export const geminiQuietSettings = {
  privacy: { usageStatisticsEnabled: false },
  general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
  telemetry: { enabled: false },
};

/**
 * The Gemini CLI (`gemini --acp`) as an ACP agent, with its quirks handled (acp.md §7):
 * `GEMINI_CLI_TRUST_WORKSPACE` (else it silently drops every MCP server), `GEMINI_CLI_NO_RELAUNCH` (one
 * process, which exits on SIGTERM), telemetry off, and no `session/load` in the clock minute the session's
 * chat file was created in (such a load fails and wipes the session).
 */
export function createGeminiProvider(settings: GeminiProviderSettings = {}): AgentProvider {
  return createAcpProvider({
    name: settings.name ?? 'gemini',
    command: settings.command ?? 'gemini',
    args: [...(settings.args ?? []), '--acp', ...(settings.model ? ['-m', settings.model] : [])],
    env: {
      // Else the CLI silently drops every MCP server (orcha's too) in a folder it was never told to trust.
      GEMINI_CLI_TRUST_WORKSPACE: 'true',
      // Else it relaunches itself as a child that SIGTERM never reaches.
      GEMINI_CLI_NO_RELAUNCH: 'true',
      GEMINI_TELEMETRY_ENABLED: 'false',
      ...settings.env,
    },
    permission: settings.permission,
    prepare: (spec) => prepareGemini(spec, settings.env),
  });
}

async function prepareGemini(
  spec: AgentSpec,
  baseEnv: Record<string, string> | undefined,
): Promise<AcpLaunch> {
  const { executor } = spec;
  const env = { ...baseEnv, ...spec.env };
  // Only the user settings file silences the CLI's usage statistics (a system settings file via
  // GEMINI_CLI_SYSTEM_SETTINGS_PATH does not): write it when the target has none, never over a person's.
  const quiet = await executor.run(
    'sh',
    [
      '-c',
      'd="$HOME/.gemini"; [ -e "$d/settings.json" ] || { mkdir -p "$d" && printf "%s\\n" "$1" > "$d/settings.json"; }',
      'sh',
      JSON.stringify(geminiQuietSettings),
    ],
    { env },
  );
  if (quiet.code !== 0) {
    throw new OrchaError('unavailable', `could not write gemini's settings: ${quiet.stderr.trim()}`);
  }
  return {
    beforeLoad: async (sessionId) => {
      const created = await chatFileMinute(executor, env, sessionId);
      if (created !== null && created === utcMinute(new Date())) await untilNextMinute();
    },
  };
}

/**
 * The UTC minute (`YYYY-MM-DDTHH-MM`) in the name of the session's chat file,
 * `$HOME/.gemini/tmp/<project>/chats/session-<minute>-<first 8 of the id>.jsonl`; null when not found.
 */
export async function chatFileMinute(
  executor: Executor,
  env: Record<string, string>,
  sessionId: string,
): Promise<string | null> {
  const prefix = sessionId.slice(0, 8);
  if (!/^[\w-]+$/.test(prefix)) return null;
  const found = await executor.run(
    'sh',
    [
      '-c',
      'find "$HOME/.gemini/tmp" -path "*/chats/*" -name "$1" 2>/dev/null',
      'sh',
      `session-*-${prefix}.jsonl`,
    ],
    { env },
  );
  const match = /session-(\d{4}-\d\d-\d\dT\d\d-\d\d)-[\w-]+\.jsonl/.exec(found.stdout);
  return match?.[1] ?? null;
}

export function utcMinute(date: Date): string {
  return date.toISOString().slice(0, 16).replace(':', '-');
}

function untilNextMinute(): Promise<void> {
  const wait = 60_000 - (Date.now() % 60_000) + 250;
  return new Promise((resolve) => setTimeout(resolve, wait).unref());
}
