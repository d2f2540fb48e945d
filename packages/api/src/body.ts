import { describeIssues, OrchaError } from '@orcha/model';
import type { MiddlewareHandler } from 'hono';
import type { z } from 'zod';

/** The largest JSON body the API reads. */
export const maxBodyBytes = 1024 * 1024;

/**
 * The seed's snake_case request fields and their one spelling. The edge renames them before validation,
 * so handlers and the document see one shape; the document mentions each alias on its field.
 */
export const requestAliases: Readonly<Record<string, string>> = {
  base_branch: 'baseBranch',
  work_root: 'workRoot',
  identity_file: 'identityFile',
  capacity_sessions: 'capacitySessions',
  ssh_port: 'port',
};

const bodyMethods = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The one normalisation step every JSON body of `/api` passes, before the route's own validation: the body
 * is accepted with or without `Content-Type` (so a bare `curl -d '{…}'` works) and may be empty (`{}`); too
 * large → 413, not JSON → 400; snake_case aliases are renamed (both spellings at once → 400). The route's
 * validator then reads the normalised JSON.
 */
export function jsonBodies(): MiddlewareHandler {
  return async (c, next) => {
    if (!bodyMethods.has(c.req.method) || !c.req.path.startsWith('/api/')) return next();
    const declared = Number(c.req.header('content-length') ?? '0');
    if (declared > maxBodyBytes)
      throw new OrchaError('payload_too_large', `the body is larger than ${maxBodyBytes} bytes`);
    const buffer = await c.req.raw.arrayBuffer();
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
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new OrchaError('invalid_argument', 'the body must be a JSON object');
    const normalised = renameAliases(value as Record<string, unknown>);
    const headers = new Headers(c.req.raw.headers);
    headers.set('content-type', 'application/json');
    headers.delete('content-length');
    c.req.raw = new Request(c.req.url, { method: c.req.method, headers, signal: c.req.raw.signal });
    // The route's validator reads the body through this cache.
    c.req.bodyCache = { text: Promise.resolve(JSON.stringify(normalised)) as unknown as string };
    await next();
  };
}

function renameAliases(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const name = requestAliases[key] ?? key;
    if (name in out) {
      const alias = Object.keys(requestAliases).find((each) => requestAliases[each] === name);
      throw new OrchaError('invalid_argument', `${alias} and ${name} are the same field: give one of them`);
    }
    out[name] = value;
  }
  return out;
}

/** The validators' hook: a request that does not match its route's schemas is a 400 with zod's reasons. */
export function invalidInput(result: { success: boolean; error?: z.ZodError }) {
  if (!result.success) throw new OrchaError('invalid_argument', describeIssues(result.error?.issues ?? []));
}
