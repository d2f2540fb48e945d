import type { AgentProvider, AgentRun, AgentSpec } from '@orcha/agent';
import { checkAcpAgent } from './acp-check.js';
import { startAcpRun } from './acp-run.js';
import type { PermissionPolicy } from './permission.js';

/** What a launch needs beyond the spec: extra env and args, a cleanup, a hook before `session/load`. */
export interface AcpLaunch {
  env?: Record<string, string> | undefined;
  args?: readonly string[] | undefined;
  beforeLoad?: ((sessionId: string) => Promise<void>) | undefined;
  onCreated?: ((sessionId: string) => void) | undefined;
  cleanup?: (() => Promise<void>) | undefined;
}

export interface AcpProviderSettings {
  /** The agent name sessions use (`gemini`, `claude-acp`, `goose`…). */
  name: string;
  /** The executable on the target, and its arguments (`gemini` `--acp`; `goose` `acp`). */
  command: string;
  args?: readonly string[] | undefined;
  /** Added to every run's environment; a spec's own `env` wins over it. */
  env?: Record<string, string> | undefined;
  /** Answer to the agent's permission requests (default `allow`: headless agents cannot wait on nobody). */
  permission?: PermissionPolicy | undefined;
  /** `session/set_mode` right after the session exists. */
  mode?: string | undefined;
  /** How long cancel waits for the turn to end after `session/cancel` before killing (default 1500 ms). */
  cancelGraceMs?: number | undefined;
  /** Said in the doctor's check of this agent (a known caveat). */
  doctorNote?: string | undefined;
  /** Per-run preparation on the target (an agent's quirks: settings files, env). */
  prepare?: ((spec: AgentSpec) => Promise<AcpLaunch>) | undefined;
}

/**
 * Any Agent Client Protocol agent as an interactive orcha agent: one process per run, started through the
 * spec's Executor (so it runs on SSH targets unchanged), orcha's MCP endpoint handed over in `session/new`.
 * `resume` continues an ACP session with `session/resume` or `session/load`, whichever the agent
 * advertises; with neither it rejects with `capability_unsupported`.
 */
export function createAcpProvider(settings: AcpProviderSettings): AgentProvider {
  const launch = async (spec: AgentSpec, resumeId: string | null): Promise<AgentRun> => {
    const prepared = (await settings.prepare?.(spec)) ?? {};
    const cleanup = once(prepared.cleanup ?? (async () => {}));
    try {
      const handle = await spec.executor.spawn(
        settings.command,
        [...(settings.args ?? []), ...(prepared.args ?? [])],
        {
          cwd: spec.cwd,
          env: { ...settings.env, ...prepared.env, ...spec.env },
        },
      );
      return await startAcpRun({
        name: settings.name,
        handle,
        cwd: spec.cwd,
        prompt: firstPrompt(spec, resumeId),
        mcp: spec.mcp,
        resumeId,
        permission: settings.permission ?? 'allow',
        askPermission: spec.askPermission,
        mode: settings.mode,
        cancelGraceMs: settings.cancelGraceMs ?? 1500,
        beforeLoad: prepared.beforeLoad,
        onCreated: prepared.onCreated,
        cleanup,
      });
    } catch (error) {
      await cleanup().catch(() => {});
      throw error;
    }
  };
  return {
    name: settings.name,
    interactivity: 'interactive',
    start: (spec) => launch(spec, null),
    resume: (spec) => launch(spec, spec.providerSessionId),
    check: (executor, env) =>
      checkAcpAgent(executor, {
        name: settings.name,
        command: settings.command,
        args: settings.args ?? [],
        env: { ...settings.env, ...env },
        note: settings.doctorNote,
      }),
  };
}

/**
 * ACP has no system prompt in its stable schema: orcha's goes before the first prompt of a conversation,
 * not again when it is resumed (the conversation has it already).
 */
export function firstPrompt(spec: AgentSpec, resumeId: string | null): string {
  return spec.systemPrompt && resumeId === null ? `${spec.systemPrompt}\n\n${spec.prompt}` : spec.prompt;
}

/** Runs `action` the first time only; later calls share its promise. */
function once(action: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= action();
    return done;
  };
}
