export type { ApiOptions, ServerInfo } from './app.js';
export { createApi } from './app.js';
export type { ErrorBody } from './errors.js';
export { statusOf } from './errors.js';
export { openApiDocument } from './openapi.js';
