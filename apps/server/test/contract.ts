import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { validate } from '@hyperjump/json-schema/openapi-3-1';
import { openApiDocument } from '@orcha/api';

/**
 * Checks responses against the API's OpenAPI 3.1 document with a real OpenAPI validator (hyperjump's
 * OpenAPI 3.1 dialect): the document is written to a file and each JSON response body is validated against
 * its operation's declared schema for that status, `$ref`s and all.
 */
type Operation = { responses: Record<string, { content?: Record<string, unknown> }> };
interface Document {
  openapi: string;
  paths?: Record<string, unknown>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
}
const document: Document = openApiDocument('test');
const paths = document.paths as Record<string, Record<string, Operation>>;

let fileUrl: string | null = null;
function documentUrl(): string {
  if (!fileUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'orcha-contract-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'orcha.openapi.json');
    writeFileSync(file, JSON.stringify(document));
    fileUrl = pathToFileURL(file).href;
  }
  return fileUrl;
}

const templates = Object.keys(paths).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

/** The document's path template of a concrete path, e.g. `/api/sessions/{id}` for `/api/sessions/ses_…`. */
export function templateOf(path: string): string | null {
  const bare = path.split('?')[0]!;
  const exact = templates.find(({ template }) => template === bare);
  return (exact ?? templates.find(({ pattern }) => pattern.test(bare)))?.template ?? null;
}

/** One compiled validator per schema: compiling is ~200 ms and ~70 ms a call uncached; a compiled one ~0.5 ms. */
const validators = new Map<string, ReturnType<typeof validate>>();
async function validateAt(schemaUri: string, instance: unknown) {
  let validator = validators.get(schemaUri);
  if (!validator) {
    validator = validate(schemaUri);
    validators.set(schemaUri, validator);
  }
  return (await validator)(instance as never, 'BASIC');
}

const pointer = (part: string) => encodeURIComponent(part.replaceAll('~', '~0').replaceAll('/', '~1'));

/**
 * Throws unless a response is what the document declares: a documented operation, a documented status, and
 * (for JSON) a body valid against the declared schema. Paths that no route serves (404) are not checked.
 */
export async function checkResponse(method: string, path: string, status: number, body: unknown) {
  if (!path.startsWith('/api/')) return;
  const template = templateOf(path);
  const operation = template ? paths[template]?.[method.toLowerCase()] : undefined;
  if (!operation) {
    if (status === 404 || status === 405) return;
    throw new Error(`${method} ${path} answered ${status} but is not in the OpenAPI document`);
  }
  const response = operation.responses[String(status)];
  if (!response) throw new Error(`${method} ${path} answered ${status}, a status its declaration lacks`);
  if (!response.content?.['application/json']) return;
  const location = ['paths', template!, method.toLowerCase(), 'responses', String(status), 'content']
    .map(pointer)
    .join('/');
  const output = await validateAt(`${documentUrl()}#/${location}/application~1json/schema`, body);
  if (!output.valid)
    throw new Error(
      `${method} ${path} ${status}: the body does not match its declared schema: ${problemsOf(output)}`,
    );
}

/** One server-sent event as a client reads it: its `event:` name, its `id:` (a number) if any, its JSON `data:`. */
export interface Frame {
  event: string;
  id?: number;
  data: unknown;
}

/**
 * Throws unless a server-sent event is one the document declares for its stream (the operation's
 * `text/event-stream` schema: `/api/events` frames are `FeedFrame`s, a transcript's are `TranscriptFrame`s),
 * checked by the same OpenAPI validator as the responses.
 */
export async function checkFrame(path: string, frame: Frame) {
  const template = templateOf(path);
  const response = template ? paths[template]?.get?.responses['200'] : undefined;
  if (!response?.content?.['text/event-stream'])
    throw new Error(`${path} is not an event stream of the OpenAPI document`);
  const location = ['paths', template!, 'get', 'responses', '200', 'content'].map(pointer).join('/');
  const output = await validateAt(`${documentUrl()}#/${location}/text~1event-stream/schema`, frame);
  if (!output.valid)
    throw new Error(
      `${path}: the frame ${JSON.stringify(frame).slice(0, 300)} does not match its declared schema: ${problemsOf(output)}`,
    );
}

function problemsOf(output: { errors?: { instanceLocation: string; keyword: string }[] }): string {
  return (output.errors ?? [])
    .slice(0, 8)
    .map((error) => `${error.instanceLocation}: ${error.keyword}`)
    .join('; ');
}

/** Validates the document itself against the OpenAPI 3.1 schema (with the JSON Schema dialect). */
export async function checkDocument(): Promise<{ valid: boolean; errors: string[] }> {
  const output = await validate('https://spec.openapis.org/oas/3.1/schema-base', document as never, 'BASIC');
  const errors = output.valid ? [] : (output.errors ?? []);
  return {
    valid: output.valid,
    errors: errors.map((error) => `${error.instanceLocation}: ${error.keyword}`),
  };
}

export { document as openApi };
