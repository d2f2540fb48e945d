export type { ApiOptions, ServerInfo } from './app.js';
export { createApi } from './app.js';
export type { Auth } from './auth.js';
export { createAuth } from './auth.js';
export type { ErrorBody } from './errors.js';
export { statusOf } from './errors.js';
export { maxMcpBodyBytes } from './mcp.js';
export { openApiDocument } from './openapi.js';
export type { ConfigView } from './routes/config.js';
