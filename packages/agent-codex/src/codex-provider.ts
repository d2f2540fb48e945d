import { randomBytes } from 'node:crypto';
import type { AgentProvider, AgentRun, AgentSpec } from '@orcha/agent';
import { OrchaError } from '@orcha/model';
import { type CodexSandboxMode, codexCommand } from './codex-command.js';
import { createCodexRun } from './codex-run.js';
import type { TomlValue } from './toml-value.js';

export interface CodexProviderSettings {
  /** The Codex CLI to run (default `codex`, found on the target's PATH). */
  command?: string | undefined;
  /** The agent name sessions use (default `codex`). */
  name?: string | undefined;
  /** Added to every run's environment (a spec's own `env` wins), e.g. an API key variable. */
  env?: Record<string, string> | undefined;
  /** The model when the spec names none (default: Codex's own default). */
  model?: string | undefined;
  /** `-s`: what commands the agent runs may touch (default `workspace-write`). */
  sandbox?: CodexSandboxMode | undefined;
  /**
   * Extra `-c key=value` overrides; values are rendered as TOML. E.g. a model provider:
   * `{ model_provider: 'local', 'model_providers.local': { base_url: '…', env_key: 'KEY', wire_api: 'responses' } }`.
   */
  config?: Record<string, TomlValue> | undefined;
  /** The name orcha's MCP server gets in Codex (`mcp_servers.<name>`; default `orcha`). */
  mcpServerName?: string | undefined;
  /** Grace period between TERM and KILL on cancel (default: the executor's). */
  killGraceMs?: number | undefined;
  /** Clock for reading usage-limit reset times (default `Date.now`). */
  now?: (() => number) | undefined;
}

/**
 * Codex as a noninteractive agent: each turn is one `codex exec --json` process started through the
 * spec's Executor (so SSH targets work unchanged), prompt on stdin, events from its JSONL output.
 * Steering resumes the thread (`codex exec resume <thread_id>`) with the new message.
 */
export function createCodexProvider(settings: CodexProviderSettings = {}): AgentProvider {
  const launch = async (spec: AgentSpec, threadId?: string): Promise<AgentRun> => {
    const command = codexCommand(settings, spec, threadId);
    const child = await spec.executor.spawn(settings.command ?? 'codex', command.args, {
      cwd: spec.cwd,
      env: command.env,
      killGraceMs: settings.killGraceMs,
    });
    // Codex reads stdin to its end before it starts; an open pipe would hang it forever.
    await child.write(command.input).catch(() => {});
    await child.closeStdin();
    return createCodexRun(child, {
      model: command.model,
      idPrefix: `${randomBytes(3).toString('hex')}-`,
      now: settings.now ?? Date.now,
    });
  };

  return {
    name: settings.name ?? 'codex',
    interactivity: 'noninteractive',
    start: (spec) => launch(spec),
    async resume(spec) {
      const threadId = spec.providerSessionId;
      if (!/^[\w-]+$/.test(threadId) || threadId.startsWith('-')) {
        throw new OrchaError('invalid_argument', `not a Codex thread id: ${JSON.stringify(threadId)}`);
      }
      return launch(spec, threadId);
    },
  };
}
