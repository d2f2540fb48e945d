import type { AgentProvider, AgentRun, AgentSpec } from '@orcha/agent';
import { startClaudeRun } from './claude-run.js';
import { writeMcpConfig } from './mcp-config.js';

export interface ClaudeProviderSettings {
  /** The claude executable on the target (default `claude`, found on the target's PATH). */
  command?: string | undefined;
  /** The agent name sessions use (default `claude`). */
  name?: string | undefined;
  /** Added to every run's environment; a spec's own `env` wins over it. */
  env?: Record<string, string> | undefined;
  /** `--model` when the spec names none (alias such as `sonnet`, or a full id). Default: the CLI's. */
  model?: string | undefined;
  /**
   * `--permission-mode` (default `bypassPermissions`: headless agents cannot answer prompts, and in
   * `-p` mode anything needing approval is silently denied). As root, the CLI refuses bypass modes
   * unless the environment has `IS_SANDBOX=1`.
   */
  permissionMode?: 'default' | 'acceptEdits' | 'bypassPermissions' | 'plan' | 'dontAsk' | 'auto' | undefined;
  /** `--allowedTools` rules, e.g. `Bash(git *)`, `Edit`. The session's MCP server is always allowed. */
  allowedTools?: readonly string[] | undefined;
  /** `--disallowedTools` rules. */
  disallowedTools?: readonly string[] | undefined;
  /** More CLI arguments, appended last (e.g. `--max-turns`, `--effort`). */
  extraArgs?: readonly string[] | undefined;
  /** How long cancel waits for the CLI to acknowledge its interrupt before killing it (default 1500 ms). */
  interruptGraceMs?: number | undefined;
}

/** The name the session's MCP server gets in `--mcp-config`; its tools are `mcp__orcha__<tool>`. */
export const mcpServerName = 'orcha';

/**
 * Claude Code as an interactive agent: one long-lived `claude -p` stream-json process per run, started
 * through the spec's Executor (so it runs on SSH targets unchanged). `send` steers the live process;
 * `resume` continues a conversation by its Claude session id.
 */
export function createClaudeProvider(settings: ClaudeProviderSettings = {}): AgentProvider {
  const launch = async (spec: AgentSpec, resumeId: string | null): Promise<AgentRun> => {
    const mcp = spec.mcp ? await writeMcpConfig(spec.executor, mcpServerName, spec.mcp) : null;
    const args = claudeArgs(settings, spec, { resumeId, mcpConfigPath: mcp?.path ?? null });
    try {
      const handle = await spec.executor.spawn(settings.command ?? 'claude', args, {
        cwd: spec.cwd,
        env: { ...settings.env, ...spec.env },
      });
      return await startClaudeRun({
        handle,
        prompt: spec.prompt,
        interruptGraceMs: settings.interruptGraceMs ?? 1500,
        cleanup: async () => mcp?.remove(),
      });
    } catch (error) {
      await mcp?.remove().catch(() => {});
      throw error;
    }
  };

  return {
    name: settings.name ?? 'claude',
    interactivity: 'interactive',
    start: (spec) => launch(spec, null),
    resume: (spec) => launch(spec, spec.providerSessionId),
  };
}

/** The argument list (agent-protocols §1.1): the SDK's fixed stream-json prefix, then our options. */
export function claudeArgs(
  settings: ClaudeProviderSettings,
  spec: AgentSpec,
  run: { resumeId: string | null; mcpConfigPath: string | null },
): string[] {
  const headless = ['-p', '--output-format', 'stream-json', '--verbose', '--input-format', 'stream-json'];
  return [...headless, ...claudeOptionArgs(settings, spec, run)];
}

/**
 * The options a session's claude gets, headless (`-p`) or as a TUI in tmux alike: permission mode, model,
 * allowed tools (the session's MCP server always), the MCP config, the role's system prompt, resume.
 */
export function claudeOptionArgs(
  settings: ClaudeProviderSettings,
  spec: AgentSpec,
  run: { resumeId: string | null; mcpConfigPath: string | null },
): string[] {
  const args = ['--permission-mode', settings.permissionMode ?? 'bypassPermissions'];
  const model = spec.model ?? settings.model;
  if (model) args.push('--model', model);
  const allowed = [...(settings.allowedTools ?? []), ...(run.mcpConfigPath ? [`mcp__${mcpServerName}`] : [])];
  if (allowed.length) args.push('--allowedTools', allowed.join(','));
  if (settings.disallowedTools?.length) args.push('--disallowedTools', settings.disallowedTools.join(','));
  if (run.mcpConfigPath) args.push('--mcp-config', run.mcpConfigPath);
  // `=` keeps free text that starts with a dash from being read as a flag.
  if (spec.systemPrompt) args.push(`--append-system-prompt=${spec.systemPrompt}`);
  if (run.resumeId) args.push('--resume', run.resumeId);
  args.push(...(settings.extraArgs ?? []));
  return args;
}
