import type { AgentProvider, AgentSpec } from '@orcha/agent';
import { createRecordingSpecs } from '@orcha/agent/testing';
import {
  type AcpCliEnvironment,
  createAcpCliEnvironment,
  createTempDir,
  type FakeGemini,
  type GeminiHandler,
  type GeminiRequest,
  geminiCliPath,
  geminiPendingResponses,
  geminiReply,
  geminiUserTexts,
  startFakeGemini,
  type TempDir,
} from '@orcha/testkit';
import { createGeminiProvider, type GeminiProviderSettings } from '../index.js';

/** The real Gemini CLI over ACP against a fake Gemini API: server, throwaway home, work dir, provider. */
export interface GeminiTestbed {
  readonly server: FakeGemini;
  readonly cli: AcpCliEnvironment;
  readonly workdir: string;
  readonly provider: AgentProvider;
  spec(sessionId: string, prompt: string, extra?: Partial<AgentSpec>): AgentSpec;
  pids(sessionId: string): number[];
  isRunning(sessionId: string): Promise<boolean>;
  teardown(): Promise<void>;
}

/** The model every test names: `-m` keeps the CLI from asking a router model first (acp.md §5). */
export const geminiTestModel = 'gemini-2.5-flash';

export async function createGeminiTestbed(
  options: { handler?: GeminiHandler; settings?: GeminiProviderSettings } = {},
): Promise<GeminiTestbed> {
  const server = await startFakeGemini({ handler: options.handler ?? geminiPromptLanguage });
  let cli: AcpCliEnvironment | undefined;
  let workdir: TempDir | undefined;
  try {
    cli = await createAcpCliEnvironment({ agent: 'gemini', baseUrl: server.url });
    workdir = await createTempDir('orcha-gemini-work-');
  } catch (error) {
    await Promise.all([server.stop(), cli?.remove()]);
    throw error;
  }
  const provider = createGeminiProvider({
    command: process.execPath,
    args: [geminiCliPath],
    model: geminiTestModel,
    env: cli.env,
    ...options.settings,
  });
  const specs = createRecordingSpecs(workdir.path);
  const environment = cli;
  const temp = workdir;
  return {
    server,
    cli: environment,
    workdir: temp.path,
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
 * The provider contract's prompt language, spoken by the fake Gemini model:
 *   `say <words>` · `recall` · `hang` · `crash` (the key is refused) · `tool <name> <json>` (calls that tool
 *   of the `orcha` MCP server, then answers with its output).
 */
export const geminiPromptLanguage: GeminiHandler = (request) => {
  const prompt = (lastTyped(request) ?? '').trim();
  const [command = ''] = prompt.split(/\s+/);
  const argument = prompt.slice(command.length).trim();
  switch (command) {
    case 'say':
      return geminiReply.text(argument);
    case 'recall':
      return geminiReply.text(earlierSays(request).join(' '));
    case 'hang':
      return geminiReply.hang();
    case 'crash':
      return geminiReply.authError();
    case 'tool': {
      const answered = geminiPendingResponses(request).at(-1);
      if (answered) return geminiReply.text(responseText(answered.response));
      const [name = '', ...json] = argument.split(/\s+/);
      return geminiReply.call(`mcp_orcha_${name}`, json.length ? JSON.parse(json.join(' ')) : {});
    }
    default:
      return geminiReply.text(`ok: ${prompt.split('\n')[0] ?? ''}`);
  }
};

/** The newest thing the user typed: the last line of the newest user text (context may come before). */
function lastTyped(request: GeminiRequest): string | null {
  const text = geminiUserTexts(request).at(-1);
  return text === undefined ? null : (text.trim().split('\n').at(-1) ?? null);
}

function earlierSays(request: GeminiRequest): string[] {
  return geminiUserTexts(request)
    .slice(0, -1)
    .flatMap((text) => {
      const match = /(?:^|\n)\s*say\s+([^\n]*)\s*$/.exec(text);
      return match?.[1] ? [match[1].trim()] : [];
    });
}

/** A function response's text, without the CLI's `<untrusted_context>` wrapper. */
function responseText(response: Record<string, unknown> | undefined): string {
  const output = typeof response?.output === 'string' ? response.output : JSON.stringify(response ?? {});
  return output.replace(/<\/?untrusted_context>/g, '').trim();
}
