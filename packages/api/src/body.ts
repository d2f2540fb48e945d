import { describeIssues, OrchaError } from '@orcha/model';
import type { Context } from 'hono';
import type { z } from 'zod';

/** The largest JSON body the API reads. */
export const maxBodyBytes = 1024 * 1024;

/**
 * Reads and validates a JSON body. It is accepted with or without `Content-Type` (so a bare
 * `curl -d '{…}'` works); too large → 413, not JSON or not matching the schema → 400. Nothing is changed
 * before this returns.
 */
export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > maxBodyBytes)
    throw new OrchaError('payload_too_large', `the body is larger than ${maxBodyBytes} bytes`);
  const buffer = await c.req.arrayBuffer();
  if (buffer.byteLength > maxBodyBytes)
    throw new OrchaError('payload_too_large', `the body is larger than ${maxBodyBytes} bytes`);
  const text = new TextDecoder().decode(buffer).trim();
  let value: unknown = {};
  if (text !== '') {
    try {
      value = JSON.parse(text);
    } catch {
      throw new OrchaError('invalid_argument', 'the body is not valid JSON');
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new OrchaError('invalid_argument', describeIssues(parsed.error.issues));
  return parsed.data;
}

/** Validates query parameters the same way. */
export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw new OrchaError('invalid_argument', describeIssues(parsed.error.issues));
  return parsed.data;
}
