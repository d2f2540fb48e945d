export type { AcpCliEnvironment } from './acp-cli.js';
export { claudeAcpPath, createAcpCliEnvironment, geminiCliPath } from './acp-cli.js';
export { lastUserText, pendingToolResults, typedTexts, userTexts } from './anthropic-conversation.js';
export type {
  AnthropicBlock,
  AnthropicMessage,
  AnthropicRequest,
  FakeBlock,
  FakeHandler,
  FakeReply,
} from './anthropic-reply.js';
export { anthropicReply } from './anthropic-reply.js';
export type { FakeAnthropic } from './anthropic-server.js';
export { startFakeAnthropic } from './anthropic-server.js';
export type { ClaudeCliEnvironment, ClaudeCliEnvironmentOptions } from './claude-cli.js';
export { claudeCliPath, createClaudeCliEnvironment } from './claude-cli.js';
export type { CodexHome } from './codex-home.js';
export { codexCliPath, createCodexHome } from './codex-home.js';
export type {
  FakeGemini,
  GeminiContent,
  GeminiHandler,
  GeminiPart,
  GeminiReply,
  GeminiRequest,
} from './gemini-server.js';
export { geminiPendingResponses, geminiReply, geminiUserTexts, startFakeGemini } from './gemini-server.js';
export type { GitHttpServer } from './git-http-server.js';
export { git, startGitHttpServer } from './git-http-server.js';
export { commitFile, seedRepo } from './git-repo.js';
export { componentSchema, githubOpenApi, responseSchema, skeleton, validate } from './github-openapi.js';
export type { FakeGitHub } from './github-server.js';
export { startFakeGitHub } from './github-server.js';
export type { TestMcpServer } from './mcp-server.js';
export { startTestMcpServer } from './mcp-server.js';
export type { ResponsesRequest } from './openai-request.js';
export type {
  FakeOpenAI,
  OutputItem,
  ReplyUsage,
  ResponsesHandler,
  ResponsesReply,
} from './openai-server.js';
export { mcpToolCall, startFakeOpenAI } from './openai-server.js';
export type { LocalPostgres, NoPostgres } from './postgres.js';
export { startPostgres } from './postgres.js';
export type { LoopbackSshd } from './sshd.js';
export { startSshd } from './sshd.js';
export type { TempDir } from './temp.js';
export { createTempDir } from './temp.js';
export type { PrivateTmux } from './tmux.js';
export { createPrivateTmux, scriptedTuiPath } from './tmux.js';
export type { ReceivedRequest, WebhookReceiver } from './webhook-receiver.js';
export { startWebhookReceiver } from './webhook-receiver.js';
