import type { AgentProvider } from '@orcha/agent';
import { createAcpProvider } from './acp-provider.js';
import type { PermissionPolicy } from './permission.js';

export interface ClaudeAcpProviderSettings {
  /** The agent name (default `claude-acp`). */
  name?: string | undefined;
  /** The adapter executable (default `claude-agent-acp`), and arguments to it. */
  command?: string | undefined;
  args?: readonly string[] | undefined;
  env?: Record<string, string> | undefined;
  permission?: PermissionPolicy | undefined;
}

/**
 * Claude Code through the ACP adapter (`@agentclientprotocol/claude-agent-acp`). Its default mode, `auto`,
 * asks the model a classifier question before each tool: we pick `bypassPermissions` under the `allow`
 * policy and `default` (every tool asks) otherwise (acp.md §7.5). Nonessential traffic, telemetry and the
 * updater are off; `IS_SANDBOX=1` lets bypass mode exist when running as root (§7.4).
 * Note: the adapter passes orcha's MCP bearer token on its `claude` child's command line, visible in the
 * process list of the target; the token is per session and dies with it.
 */
export function createClaudeAcpProvider(settings: ClaudeAcpProviderSettings = {}): AgentProvider {
  const permission = settings.permission ?? 'allow';
  return createAcpProvider({
    name: settings.name ?? 'claude-acp',
    command: settings.command ?? 'claude-agent-acp',
    args: settings.args,
    env: {
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_AUTOUPDATER: '1',
      IS_SANDBOX: '1',
      ...settings.env,
    },
    permission,
    mode: permission === 'allow' ? 'bypassPermissions' : 'default',
    doctorNote:
      "the adapter passes orcha's MCP bearer token on its claude child's command line (visible to this target's users; the token is per session and dies with it)",
  });
}
