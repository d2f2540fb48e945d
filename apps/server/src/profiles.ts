import type { AgentProvider, AgentSpec } from '@orcha/agent';
import { createClaudeProvider } from '@orcha/agent-claude';
import { createCodexProvider } from '@orcha/agent-codex';
import { createTmuxProvider } from '@orcha/agent-tmux';
import type { Profile } from './config-file.js';

/**
 * The config file's agent profiles as providers, by name: each with its own command, model, environment and
 * account directory (`home`), so two profiles of one CLI are two accounts. `env` is already resolved (its
 * `$NAME` references read and `home` turned into the CLI's account variable) by the config module.
 */
export function profileProviders(
  profiles: readonly Profile[],
  tmuxSocket: string,
): Record<string, AgentProvider> {
  const providers: Record<string, AgentProvider> = {};
  for (const profile of profiles) {
    const environment = profile.env ?? {};
    const common = {
      name: profile.name,
      env: environment,
      ...(profile.command ? { command: profile.command } : {}),
      ...(profile.model ? { model: profile.model } : {}),
    };
    switch (profile.kind) {
      case 'claude':
        providers[profile.name] = createClaudeProvider(common);
        break;
      case 'codex':
        providers[profile.name] = createCodexProvider(common);
        break;
      case 'tmux': {
        const command = [profile.command ?? 'bash', ...(profile.args ?? [])];
        providers[profile.name] = withEnvironment(
          createTmuxProvider({ name: profile.name, socketName: tmuxSocket, command: () => command }),
          environment,
        );
        break;
      }
      default: {
        const unknown: never = profile.kind;
        throw new Error(`unknown profile kind ${String(unknown)}`);
      }
    }
  }
  return providers;
}

/** A provider whose runs get `environment` beneath each spec's own (the spec wins, as for claude and codex). */
function withEnvironment(provider: AgentProvider, environment: Record<string, string>): AgentProvider {
  const withEnv = <Spec extends AgentSpec>(spec: Spec): Spec => ({
    ...spec,
    env: { ...environment, ...spec.env },
  });
  return {
    ...provider,
    start: (spec) => provider.start(withEnv(spec)),
    resume: (spec) => provider.resume(withEnv(spec)),
    ...(provider.reattach ? { reattach: (spec) => provider.reattach!(withEnv(spec)) } : {}),
  } as AgentProvider;
}
