import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

describe('one place decides a session status', () => {
  it('calls updateSessionStatus from session-status.ts only', () => {
    const callers = readdirSync(src)
      .filter((name) => name.endsWith('.ts'))
      .filter((name) => /\.updateSessionStatus\(/.test(readFileSync(join(src, name), 'utf8')));
    expect(callers).toEqual(['session-status.ts']);
  });

  it('has no side flag or timer standing in for the order of events', () => {
    for (const name of readdirSync(src).filter((n) => n.endsWith('.ts'))) {
      const text = readFileSync(join(src, name), 'utf8');
      expect(text, name).not.toMatch(/\bstopping(\?)?:\s*null/);
      expect(text, name).not.toMatch(/\.stopping\b/);
      expect(text, name).not.toMatch(/setTimeout\([^)]*stopRun/);
    }
  });
});
