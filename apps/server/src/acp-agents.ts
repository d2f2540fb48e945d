import type { AgentProvider } from '@orcha/agent';
import { createAcpProvider, createClaudeAcpProvider, createGeminiProvider } from '@orcha/agent-acp';
import { z } from 'zod';

/** `--acp-agent '{"name":"goose","kind":"acp","command":"goose","args":["acp"]}'`: any other ACP agent. */
export const acpAgentSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'an agent name: lower-case letters, digits, -'),
  kind: z.literal('acp'),
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  /** What the agent's permission requests get: allowed, refused, or put to a person. */
  permission: z.enum(['allow', 'deny', 'ask']).default('allow'),
});
export type AcpAgentConfig = z.infer<typeof acpAgentSchema>;

/** The built-in ACP agents: their names and the binary `--agents auto` looks for. */
export const builtInAcpAgents = { gemini: 'gemini', 'claude-acp': 'claude-agent-acp' } as const;

/**
 * The ACP agents to offer: `gemini` and `claude-acp` when `wanted` says so (named by `--agents`, or
 * installed under `--agents auto`), then every `--acp-agent`.
 */
export function acpProviders(
  wanted: (name: keyof typeof builtInAcpAgents, binary: string) => boolean,
  configured: readonly AcpAgentConfig[],
): Record<string, AgentProvider> {
  const providers: Record<string, AgentProvider> = {};
  if (wanted('gemini', builtInAcpAgents.gemini)) providers.gemini = createGeminiProvider();
  if (wanted('claude-acp', builtInAcpAgents['claude-acp']))
    providers['claude-acp'] = createClaudeAcpProvider();
  for (const agent of configured) {
    providers[agent.name] = createAcpProvider({
      name: agent.name,
      command: agent.command,
      args: agent.args,
      permission: agent.permission,
    });
  }
  return providers;
}
