import type { Executor } from '@orcha/exec';
import { OrchaError, type Target } from '@orcha/model';
import type { Context } from './context.js';

/**
 * One entry of the agents' environment, from the config or flags: `NAME=value` for one agent (or every
 * agent, `agent: null`) on one target (by name; or every target, `target: null`). Secrets are resolved from
 * orcha's own environment by the app's config module, so they are never typed on a command line.
 */
export interface AgentEnvironmentEntry {
  agent: string | null;
  target: string | null;
  name: string;
  value: string;
}

/**
 * What an SSH executor offers beyond the Executor port (see @orcha/exec-ssh): a reverse tunnel from the
 * target's loopback to a port on orcha's machine. Found by shape, so the core never imports a backend.
 */
export interface TunnelCapable {
  reverseTunnel(
    to: { host: string; port: number },
    options?: { remotePort?: number },
  ): Promise<{ remoteHost: string; remotePort: number }>;
}

export function tunnelCapable(executor: Executor): (Executor & TunnelCapable) | null {
  const candidate = executor as Partial<TunnelCapable>;
  return typeof candidate.reverseTunnel === 'function' ? (executor as Executor & TunnelCapable) : null;
}

/**
 * The base URL at which programs on `target` reach orcha's API: orcha's own loopback address on this
 * machine; on an SSH target, the target's end of the reverse tunnel its connection carries (opened now
 * when it is not open; on orcha's port number when that is free there), so orcha never listens on a
 * network for its agents.
 */
export async function orchaUrlOn(ctx: Context, target: Target, executor: Executor): Promise<string> {
  if (target.kind === 'local') return ctx.config.mcpBaseUrl;
  const tunnel = tunnelCapable(executor);
  if (!tunnel) {
    throw new OrchaError(
      'capability_unsupported',
      `agents on ${target.name} cannot reach orcha: its executor opens no reverse tunnel`,
    );
  }
  const portOf = (url: URL) => Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const orcha = new URL(ctx.config.mcpBaseUrl);
  const to = new URL(ctx.config.tunnelBaseUrl ?? ctx.config.mcpBaseUrl);
  // orcha's own port number is asked for first, so the URL agents there were given survives a restart of
  // orcha (tmux agents outlive it) whenever that port is free on the target.
  const { remoteHost, remotePort } = await tunnel.reverseTunnel(
    { host: to.hostname, port: portOf(to) },
    { remotePort: portOf(orcha) },
  );
  return `${to.protocol}//${remoteHost}:${remotePort}`;
}

/** Entries that apply to everything first, the most specific (this agent on this target) last, so it wins. */
const specificity = (entry: AgentEnvironmentEntry) => (entry.agent ? 1 : 0) + (entry.target ? 2 : 0);

/**
 * The environment an agent gets on a target: the configured entries that match, the most specific
 * winning; on an SSH target, PATH is the user's login PATH the doctor found (where `~/.local/bin` or nvm
 * put the agent CLIs) unless an entry sets PATH for that target.
 */
export function agentEnvironment(
  entries: readonly AgentEnvironmentEntry[],
  agent: string,
  target: Pick<Target, 'name' | 'kind' | 'doctor'>,
): Record<string, string> {
  const env: Record<string, string> = {};
  const loginPath = target.kind === 'ssh' ? target.doctor?.loginPath : null;
  if (loginPath) env.PATH = loginPath;
  const matching = entries
    .filter(
      (entry) =>
        (entry.agent === null || entry.agent === agent) &&
        (entry.target === null || entry.target === target.name),
    )
    .sort((a, b) => specificity(a) - specificity(b));
  for (const entry of matching) env[entry.name] = entry.value;
  return env;
}

/** What a session's agent is given to reach orcha from its target, and its environment there. */
export async function sessionReach(
  ctx: Context,
  agent: string,
  target: Target,
  executor: Executor,
): Promise<{ orchaUrl: string; env: Record<string, string> }> {
  return {
    orchaUrl: await orchaUrlOn(ctx, target, executor),
    env: agentEnvironment(ctx.config.agentEnvironment, agent, target),
  };
}
