/** Stable error codes. The API maps each to one HTTP status; nothing matches on message text. */
export const errorCodes = [
  'invalid_argument',
  'not_found',
  'conflict',
  'invalid_transition',
  'forbidden',
  'forbidden_host',
  'method_not_allowed',
  'unauthorized',
  'unavailable',
  'exhausted',
  'lock_held',
  'capacity_full',
  'push_refused',
  'capability_unsupported',
  'payload_too_large',
  'internal',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** The one error type of orcha. `details` carries structured context (never secrets). */
export class OrchaError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'OrchaError';
    this.code = code;
    this.details = details;
  }
}

export function isOrchaError(error: unknown, code?: ErrorCode): error is OrchaError {
  return error instanceof OrchaError && (code === undefined || error.code === code);
}

/** Formats a zod error's issues into one readable line: `title: Required; agent: Invalid enum value`. */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .map((issue) =>
      issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message,
    )
    .join('; ');
}
