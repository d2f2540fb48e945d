import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

type Schema = {
  $ref?: string;
  type?: string | string[];
  nullable?: boolean;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  format?: string;
};

interface Document {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>
  >;
  components: { schemas: Record<string, Schema> };
}

let document: Document | null = null;

/** GitHub's published OpenAPI description of api.github.com (from @octokit/openapi), loaded once. */
export function githubOpenApi(): Document {
  if (!document) {
    const require = createRequire(import.meta.url);
    document = JSON.parse(
      readFileSync(require.resolve('@octokit/openapi/generated/api.github.com.json'), 'utf8'),
    ) as Document;
  }
  return document;
}

function resolve(schema: Schema): Schema {
  let current = schema;
  while (current.$ref) {
    const name = current.$ref.replace('#/components/schemas/', '');
    const next = githubOpenApi().components.schemas[name];
    if (!next) throw new Error(`unknown schema ${current.$ref}`);
    current = next;
  }
  return current;
}

export function componentSchema(name: string): Schema {
  const schema = githubOpenApi().components.schemas[name];
  if (!schema) throw new Error(`unknown component schema ${name}`);
  return schema;
}

/** The JSON schema of one operation's response, e.g. `responseSchema('/repos/{owner}/{repo}/pulls', 'post', 201)`. */
export function responseSchema(path: string, method: string, status: number): Schema {
  const response = githubOpenApi().paths[path]?.[method]?.responses[String(status)];
  const schema = response?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`no JSON response ${status} for ${method.toUpperCase()} ${path}`);
  return schema;
}

/** Validates a value against a schema: returns the problems found, with their paths (empty when valid). */
export function validate(schemaIn: Schema, value: unknown, path = '$'): string[] {
  const schema = resolve(schemaIn);
  if (schema.allOf) return schema.allOf.flatMap((part) => validate(part, value, path));
  if (schema.anyOf || schema.oneOf) {
    const options = (schema.anyOf ?? schema.oneOf)!;
    if (value === null && schema.nullable) return [];
    return options.some((option) => validate(option, value, path).length === 0)
      ? []
      : [`${path}: matches none of ${options.length} alternatives`];
  }
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (value === null)
    return schema.nullable || types.includes('null') || types.length === 0 ? [] : [`${path}: is null`];
  if (schema.enum && !schema.enum.includes(value))
    return [`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`];
  const actual = Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (types.length && !types.some((type) => type === actual || (type === 'number' && actual === 'integer'))) {
    return [`${path}: expected ${types.join('|')}, got ${actual}`];
  }
  if (actual === 'array' && schema.items)
    return (value as unknown[]).flatMap((item, index) => validate(schema.items!, item, `${path}[${index}]`));
  if (actual === 'object') {
    const record = value as Record<string, unknown>;
    const problems = (schema.required ?? [])
      .filter((key) => !(key in record))
      .map((key) => `${path}.${key}: missing`);
    for (const [key, child] of Object.entries(schema.properties ?? {})) {
      if (key in record && record[key] !== undefined)
        problems.push(...validate(child, record[key], `${path}.${key}`));
    }
    return problems;
  }
  return [];
}

/**
 * The smallest value a schema accepts: every required property present, nullable ones null, arrays empty.
 * The fake GitHub server starts from these and fills in the fields that mean something, so its shapes come
 * from GitHub's own description rather than from memory.
 */
export function skeleton(schemaIn: Schema, depth = 0): unknown {
  const schema = resolve(schemaIn);
  if (depth > 12) return null;
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((part) => skeleton(part, depth + 1)));
  if (schema.anyOf || schema.oneOf) {
    if (schema.nullable) return null;
    return skeleton((schema.anyOf ?? schema.oneOf)![0]!, depth + 1);
  }
  if (schema.nullable) return null;
  if (schema.enum) return schema.enum[0];
  const type = Array.isArray(schema.type)
    ? schema.type.includes('null')
      ? 'null'
      : schema.type[0]
    : schema.type;
  switch (type) {
    case 'null':
      return null;
    case 'string':
      return schema.format === 'date-time'
        ? '2026-01-01T00:00:00Z'
        : schema.format === 'uri'
          ? 'https://example.invalid/'
          : '';
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    default: {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) out[key] = skeleton(schema.properties?.[key] ?? {}, depth + 1);
      return out;
    }
  }
}
