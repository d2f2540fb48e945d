import type { AgentSpec } from '@orcha/agent';
import { type TomlValue, tomlKeyPath, tomlValue } from './toml-value.js';

export type CodexSandboxMode = 'read-only' | 'workspace-write' | 'danger-full-access';

export interface CodexCommandSettings {
  model?: string | undefined;
  sandbox?: CodexSandboxMode | undefined;
  config?: Record<string, TomlValue> | undefined;
  env?: Record<string, string> | undefined;
  mcpServerName?: string | undefined;
}

export interface CodexCommand {
  args: string[];
  env: Record<string, string>;
  /** Written to stdin, which is then closed: prompts stay out of argv (size limits, `ps`, leading dashes). */
  input: string;
  model: string | null;
}

/** The environment variable that carries the MCP bearer token to Codex (never put in argv). */
export const mcpTokenVariable = 'ORCHA_MCP_TOKEN';

/**
 * `codex exec --json …` for a new conversation, or `codex exec --json … resume <thread>` to continue one.
 * Settings are passed again on resume because Codex does not carry flags over to a resumed thread.
 */
export function codexCommand(
  settings: CodexCommandSettings,
  spec: AgentSpec,
  resumeThreadId?: string,
): CodexCommand {
  const options = codexOptions(settings, spec);
  const args = ['exec', '--json', '--skip-git-repo-check', ...options.args];
  if (resumeThreadId !== undefined) args.push('resume', resumeThreadId);
  args.push('-');
  return { args, env: options.env, input: spec.prompt, model: options.model };
}

/**
 * The options a session's codex gets, from `codex exec` or as a TUI in tmux alike: sandbox, model, the
 * config overrides, the role's instructions, and orcha's MCP server (token in the environment, tools
 * approved: a session cannot stop to ask about each call).
 */
export function codexOptions(
  settings: CodexCommandSettings,
  spec: AgentSpec,
): { args: string[]; env: Record<string, string>; model: string | null } {
  const model = spec.model ?? settings.model ?? null;
  const args = ['-s', settings.sandbox ?? 'workspace-write'];
  if (model) args.push('-m', model);
  const overrides: [string, TomlValue][] = Object.entries(settings.config ?? {});
  if (spec.systemPrompt) overrides.push(['developer_instructions', spec.systemPrompt]);
  const env: Record<string, string> = { ...settings.env, ...spec.env };
  if (spec.mcp) {
    const server = `mcp_servers.${settings.mcpServerName ?? 'orcha'}`;
    overrides.push(
      [`${server}.url`, spec.mcp.url],
      [`${server}.bearer_token_env_var`, mcpTokenVariable],
      // `codex exec` never asks, so without this every MCP call fails as "requires approval".
      [`${server}.default_tools_approval_mode`, 'approve'],
    );
    env[mcpTokenVariable] = spec.mcp.token;
  }
  for (const [key, value] of overrides) args.push('-c', `${tomlKeyPath(key)}=${tomlValue(value)}`);
  // Codex prints reset times in its local zone; in UTC they can be read back exactly (codex-errors.ts).
  env.TZ = 'UTC';
  return { args, env, model };
}
