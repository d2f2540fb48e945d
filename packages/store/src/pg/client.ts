import type { SqlClient, SqlStatement } from '../database.js';
import type { SyncPg } from './bridge.js';

/**
 * The store's SQL in PostgreSQL's spelling. The store writes its queries once, through drizzle's SQLite
 * builder and a few prepared statements; what differs on PostgreSQL is only the spelling of two things:
 * positional parameters (`?` → `$1, $2, …`) and aliases in camelCase, which PostgreSQL folds to lower case
 * unless quoted (`AS baseBranch` → `AS "baseBranch"`); and drizzle's SQLite upsert names its conflict target
 * with the table (`on conflict ("t"."c")`), which PostgreSQL refuses. Quoted text is left as it is; SQLite's
 * `null` for an autoincrement id is filled by a trigger in the PostgreSQL migration.
 * Anything beyond that (SQLite's JSON functions, `rowid`) is written per engine where it is used.
 */
export function toPostgresSql(text: string): string {
  let out = '';
  let parameter = 0;
  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    if (char === "'" || char === '"') {
      let end = index + 1;
      for (;;) {
        end = text.indexOf(char, end);
        if (end === -1) {
          end = text.length;
          break;
        }
        if (text[end + 1] === char) end += 2;
        else break;
      }
      out += text.slice(index, end + 1);
      index = end + 1;
      continue;
    }
    if (char === '?') {
      out += `$${++parameter}`;
      index++;
      continue;
    }
    const alias =
      (char === 'A' || char === 'a') && !/[A-Za-z0-9_]/.test(text[index - 1] ?? ' ')
        ? /^(?:AS|as)\s+([a-z_][a-z0-9_]*[A-Z][A-Za-z0-9_]*)\b/.exec(text.slice(index, index + 200))
        : null;
    if (alias) {
      out += `AS "${alias[1]}"`;
      index += alias[0].length;
      continue;
    }
    out += char;
    index++;
  }
  return out.replace(
    /\bon conflict \(([^)]*)\)/g,
    (_, columns: string) => `on conflict (${columns.replace(/"[^"]+"\./g, '')})`,
  );
}

class PgStatement implements SqlStatement {
  private arrays = false;
  private first = false;

  constructor(
    private readonly pg: SyncPg,
    private readonly text: string,
  ) {}

  raw(toggle = true): this {
    this.arrays = toggle;
    return this;
  }

  pluck(toggle = true): this {
    this.arrays = toggle;
    this.first = toggle;
    return this;
  }

  run(...params: unknown[]): { changes: number; lastInsertRowid: number } {
    return { changes: this.pg.query(this.text, params).rowCount, lastInsertRowid: 0 };
  }

  all(...params: unknown[]): unknown[] {
    const { rows } = this.pg.query(this.text, params, this.arrays ? 'array' : undefined);
    return this.first ? (rows as unknown[][]).map((row) => row[0]) : rows;
  }

  get(...params: unknown[]): unknown {
    return this.all(...params)[0];
  }
}

/**
 * A synchronous SQL client over PostgreSQL shaped like the part of better-sqlite3 the store and drizzle use
 * (`prepare` → `run` / `get` / `all` / `raw` / `pluck`), so the store's queries run unchanged on either engine.
 */
export function pgClient(pg: SyncPg): SqlClient {
  const spelled = new Map<string, string>();
  return {
    prepare(text: string): SqlStatement {
      let postgres = spelled.get(text);
      if (postgres === undefined) {
        postgres = toPostgresSql(text);
        spelled.set(text, postgres);
      }
      return new PgStatement(pg, postgres);
    },
    exec(text: string): void {
      pg.query(text);
    },
  };
}
