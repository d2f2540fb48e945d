import { OrchaError } from '@orcha/model';

/** A value Codex's `-c key=value` accepts (parsed as TOML): scalars, arrays and inline tables. */
export type TomlValue =
  | string
  | number
  | boolean
  | readonly TomlValue[]
  | { readonly [key: string]: TomlValue };

/** Renders one `-c` override value as TOML. Strings become basic strings, objects inline tables. */
export function tomlValue(value: TomlValue): string {
  if (typeof value === 'string') return tomlString(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new OrchaError('invalid_argument', `not a TOML number: ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map((item: TomlValue) => tomlValue(item)).join(', ')}]`;
  const entries = Object.entries(value as { readonly [key: string]: TomlValue });
  return `{ ${entries.map(([key, item]) => `${tomlKey(key)} = ${tomlValue(item)}`).join(', ')} }`;
}

/** A dotted key path (`mcp_servers.orcha.url`) with each part quoted when it needs to be. */
export function tomlKeyPath(path: string): string {
  return path.split('.').map(tomlKey).join('.');
}

function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : tomlString(key);
}

/**
 * A TOML basic string. JSON's escapes are TOML's, except that TOML also wants DEL escaped and rejects
 * escaped lone surrogates, which become U+FFFD first.
 */
function tomlString(value: string): string {
  const wellFormed = value.replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '\uFFFD',
  );
  return JSON.stringify(wellFormed).replace(/\u007f/g, '\\u007F');
}
