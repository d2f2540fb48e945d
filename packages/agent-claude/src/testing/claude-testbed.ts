import type { AgentProvider, AgentSpec } from '@orcha/agent';
import { createRecordingSpecs } from '@orcha/agent/testing';
import {
  type AnthropicRequest,
  anthropicReply,
  type ClaudeCliEnvironment,
  claudeCliPath,
  createClaudeCliEnvironment,
  createTempDir,
  type FakeAnthropic,
  type FakeHandler,
  type FakeReply,
  lastUserText,
  pendingToolResults,
  startFakeAnthropic,
  type TempDir,
  userTexts,
} from '@orcha/testkit';
import { type ClaudeProviderSettings, createClaudeProvider } from '../index.js';

/** The real claude CLI against a fake model: server, throwaway home, work dir, provider and spec maker. */
export interface ClaudeTestbed {
  readonly server: FakeAnthropic;
  readonly cli: ClaudeCliEnvironment;
  readonly workdir: string;
  readonly provider: AgentProvider;
  spec(sessionId: string, prompt: string, extra?: Partial<AgentSpec>): AgentSpec;
  /** The process groups (leader pids) the provider spawned for this session, oldest first. */
  pids(sessionId: string): number[];
  /** Whether any process the provider started for this session is still alive. */
  isRunning(sessionId: string): Promise<boolean>;
  teardown(): Promise<void>;
}

export async function createClaudeTestbed(
  options: { handler?: FakeHandler; settings?: ClaudeProviderSettings } = {},
): Promise<ClaudeTestbed> {
  const server = await startFakeAnthropic({ handler: options.handler ?? promptLanguageHandler });
  let cli: ClaudeCliEnvironment | undefined;
  let workdir: TempDir | undefined;
  try {
    cli = await createClaudeCliEnvironment({ baseUrl: server.url });
    workdir = await createTempDir('orcha-claude-work-');
  } catch (error) {
    await Promise.all([server.stop(), cli?.remove()]);
    throw error;
  }
  const provider = createClaudeProvider({ command: claudeCliPath, env: cli.env, ...options.settings });
  const path = workdir.path;
  const specs = createRecordingSpecs(path);
  const environment = cli;
  const temp = workdir;
  return {
    server,
    cli: environment,
    workdir: path,
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
 * The provider contract's prompt language, spoken by the fake model, plus a few commands of our own:
 *   `say <words>` · `recall` (every earlier `say` of the conversation, read from the request's history) ·
 *   `hang` · `crash` (the API rejects the credentials: fatal) · `tool <name> <json>` (calls that tool of
 *   the `orcha` MCP server, then answers with its output) · `bash <command>` (the same with Bash) ·
 *   `limit <epoch seconds>` (usage limit resetting then) · `rate` (rate limited).
 */
export const promptLanguageHandler: FakeHandler = (request) => {
  const prompt = (lastUserText(request) ?? '').trim();
  const [command = ''] = prompt.split(/\s+/);
  const argument = prompt.slice(command.length).trim();
  switch (command) {
    case 'say':
      return anthropicReply.text(argument);
    case 'recall':
      return anthropicReply.text(earlierSays(request).join(' '));
    case 'hang':
      return anthropicReply.hang();
    case 'crash':
      return anthropicReply.authError();
    case 'limit':
      return anthropicReply.usageLimit(Number(argument));
    case 'rate':
      return anthropicReply.rateLimit(1);
    case 'bash':
      return (
        afterTool(request) ?? anthropicReply.toolUse('Bash', { command: argument, description: 'run it' })
      );
    case 'tool': {
      const [name = '', ...json] = argument.split(/\s+/);
      return (
        afterTool(request) ??
        mcpCall(request, `mcp__orcha__${name}`, json.length ? JSON.parse(json.join(' ')) : {})
      );
    }
    default:
      return anthropicReply.text(`ok: ${prompt.split('\n')[0] ?? ''}`);
  }
};

/** Once a real tool answered (not ToolSearch loading one), the model repeats its output and stops. */
function afterTool(request: AnthropicRequest): FakeReply | null {
  const result = pendingToolResults(request).at(-1);
  if (!result || JSON.stringify(result.content).includes('tool_reference')) return null;
  const content = result.content;
  const text = Array.isArray(content)
    ? content.map((block: { text?: unknown }) => (typeof block.text === 'string' ? block.text : '')).join('')
    : String(content ?? '');
  return anthropicReply.text(text);
}

/** Calls an MCP tool, loading it through ToolSearch first when it is deferred (not in the tool list). */
function mcpCall(request: AnthropicRequest, tool: string, input: Record<string, unknown>): FakeReply {
  if (request.tools.some((candidate) => candidate.name === tool)) return anthropicReply.toolUse(tool, input);
  return anthropicReply.toolUse('ToolSearch', { query: `select:${tool}`, max_results: 1 });
}

function earlierSays(request: AnthropicRequest): string[] {
  return userTexts(request)
    .slice(0, -1)
    .flatMap((text) => {
      const match = /^\s*say\s+([\s\S]*)$/.exec(text);
      return match?.[1] ? [match[1].trim()] : [];
    });
}
