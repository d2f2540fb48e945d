export type { AcpLaunch, AcpProviderSettings } from './acp-provider.js';
export { createAcpProvider } from './acp-provider.js';
export type { ClaudeAcpProviderSettings } from './claude-acp.js';
export { createClaudeAcpProvider } from './claude-acp.js';
export type { GeminiProviderSettings } from './gemini.js';
export { createGeminiProvider, geminiQuietSettings } from './gemini.js';
export type { PermissionPolicy } from './permission.js';
