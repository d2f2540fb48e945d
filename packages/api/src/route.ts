import type { OpenAPIHono } from '@hono/zod-openapi';
import type { z } from 'zod';
import { ErrorBody } from './schemas.js';

/** The app routes are declared on: each `app.openapi(createRoute(…), handler)` is validated and documented. */
export type App = OpenAPIHono;

/** A JSON response (or request body) of a declaration. */
export function json<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { 'application/json': { schema } } } as const;
}

/** A required JSON request body. */
export function body<S extends z.ZodType>(schema: S, description: string) {
  return { description, required: true, content: { 'application/json': { schema } } } as const;
}

/** A server-sent event stream whose frames follow `schema` (`event`, `id`, `data` of each frame). */
export function eventStream<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { 'text/event-stream': { schema } } } as const;
}

const reasons = {
  400: 'The request does not match its schema (`invalid_argument`).',
  401: 'The API token or the login cookie is missing or wrong (`unauthorized`).',
  403: 'A foreign origin or host (`forbidden`, `forbidden_host`).',
  404: 'No such thing (`not_found`).',
  409: 'The state does not allow it (`conflict`, `invalid_transition`, `capacity_full`, …).',
  413: 'The body is larger than 1 MiB (`payload_too_large`).',
  429: 'A provider is exhausted until its reset (`exhausted`).',
  503: 'A backend is unreachable (`unavailable`).',
} as const;
type ErrorStatus = keyof typeof reasons;

/** Error responses: 401 and 403 (the security edge) on every route, plus the statuses given. */
export function errors<S extends ErrorStatus>(...statuses: S[]) {
  const all = [...new Set<ErrorStatus>([...statuses, 401, 403])].sort();
  return Object.fromEntries(all.map((status) => [status, json(ErrorBody, reasons[status])])) as Record<
    S | 401 | 403,
    ReturnType<typeof json<typeof ErrorBody>>
  >;
}

/** The errors of a route with a JSON body: 400 and 413 besides the given ones. */
export function bodyErrors<S extends ErrorStatus>(...statuses: S[]) {
  return errors<S | 400 | 413>(400, 413, ...statuses);
}
