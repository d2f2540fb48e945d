import { type ErrorCode, isOrchaError } from '@orcha/model';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The one place error codes become HTTP statuses. */
export const statusOf: Record<ErrorCode, ContentfulStatusCode> = {
  invalid_argument: 400,
  unauthorized: 401,
  forbidden: 403,
  forbidden_host: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  invalid_transition: 409,
  lock_held: 409,
  capacity_full: 409,
  push_refused: 409,
  capability_unsupported: 409,
  payload_too_large: 413,
  exhausted: 429,
  internal: 500,
  unavailable: 503,
};

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/**
 * Answers `{ error: { code, message } }` with the status of its code. Unknown errors are 500s without detail.
 * A 401 says how to authenticate (`WWW-Authenticate: Bearer`); a 405 which methods are allowed.
 */
export function errorResponse(c: Context, error: unknown) {
  if (isOrchaError(error)) {
    const headers: Record<string, string> = {};
    if (error.code === 'unauthorized') headers['WWW-Authenticate'] = 'Bearer realm="orcha"';
    if (error.code === 'method_not_allowed' && typeof error.details?.allow === 'string')
      headers.Allow = error.details.allow;
    return c.json<ErrorBody>(
      { error: { code: error.code, message: error.message } },
      statusOf[error.code],
      headers,
    );
  }
  console.error('orcha: unexpected error', error);
  return c.json<ErrorBody>({ error: { code: 'internal', message: 'internal error' } }, 500);
}
