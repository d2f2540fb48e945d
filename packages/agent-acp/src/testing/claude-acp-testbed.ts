import type { AgentProvider, AgentSpec } from '@orcha/agent';
import { createRecordingSpecs } from '@orcha/agent/testing';
import {
  type AcpCliEnvironment,
  anthropicReply,
  claudeAcpPath,
  createAcpCliEnvironment,
  createTempDir,
  type FakeAnthropic,
  type FakeHandler,
  lastUserText,
  startFakeAnthropic,
  type TempDir,
  userTexts,
} from '@orcha/testkit';
import { type ClaudeAcpProviderSettings, createClaudeAcpProvider } from '../index.js';

/** The real Claude ACP adapter against a fake Messages API: server, throwaway home, work dir, provider. */
export interface ClaudeAcpTestbed {
  readonly server: FakeAnthropic;
  readonly cli: AcpCliEnvironment;
  readonly provider: AgentProvider;
  spec(sessionId: string, prompt: string, extra?: Partial<AgentSpec>): AgentSpec;
  pids(sessionId: string): number[];
  isRunning(sessionId: string): Promise<boolean>;
  teardown(): Promise<void>;
}

export async function createClaudeAcpTestbed(
  options: { handler?: FakeHandler; settings?: ClaudeAcpProviderSettings } = {},
): Promise<ClaudeAcpTestbed> {
  const server = await startFakeAnthropic({ handler: options.handler ?? claudePromptLanguage });
  let cli: AcpCliEnvironment | undefined;
  let workdir: TempDir | undefined;
  try {
    cli = await createAcpCliEnvironment({ agent: 'claude', baseUrl: server.url });
    workdir = await createTempDir('orcha-claude-acp-work-');
  } catch (error) {
    await Promise.all([server.stop(), cli?.remove()]);
    throw error;
  }
  const provider = createClaudeAcpProvider({
    command: process.execPath,
    args: [claudeAcpPath],
    env: cli.env,
    ...options.settings,
  });
  const specs = createRecordingSpecs(workdir.path);
  const environment = cli;
  const temp = workdir;
  return {
    server,
    cli: environment,
    provider,
    spec: specs.spec,
    pids: specs.pids,
    isRunning: async (sessionId) => specs.isRunning(sessionId),
    async teardown() {
      await server.stop();
      await Promise.all([environment.remove(), temp.remove()]);
    },
  };
}

/**
 * The contract's prompt language for the Claude model behind the adapter: `say <words>` · `recall` ·
 * `hang` · `crash` (the key is refused). The adapter's side requests get harmless answers: a session
 * title as the JSON it asks for, anything for a prompt suggestion.
 */
export const claudePromptLanguage: FakeHandler = (request) => {
  const format = (request.body.output_config as { format?: { type?: string } } | undefined)?.format;
  if (format?.type === 'json_schema') return anthropicReply.text('{"title":"orcha test"}');
  const prompt = (lastUserText(request) ?? '').trim();
  if (prompt.startsWith('[SUGGESTION MODE')) return anthropicReply.text('');
  const [command = ''] = prompt.split(/\s+/);
  const argument = prompt.slice(command.length).trim();
  switch (command) {
    case 'say':
      return anthropicReply.text(argument);
    case 'recall':
      return anthropicReply.text(
        userTexts(request)
          .slice(0, -1)
          .flatMap((text) => /^\s*say\s+(.*)$/s.exec(text)?.[1]?.trim() ?? [])
          .join(' '),
      );
    case 'hang':
      return anthropicReply.hang();
    case 'crash':
      return anthropicReply.authError();
    default:
      return anthropicReply.text(`ok: ${prompt.split('\n')[0] ?? ''}`);
  }
};
