// The API reads through the orchestrator's read port (`orchestrator.reads`, typed `StoreReads`), never through
// the concrete store: writes go through the orchestrator's own members (docs/ARCHITECTURE.md §2).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.ts$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : [];
  });
}

describe('the read port', () => {
  it('is all the API reads: no use of the orchestrator’s concrete store', () => {
    const sources = files(join(root, 'packages', 'api', 'src'));
    expect(sources.length).toBeGreaterThan(3);
    const offenders = sources.filter((file) =>
      /orchestrator\.store\b|\{\s*store\s*\}\s*=\s*orchestrator|Orchestrator\['store'\]|@orcha\/store/.test(
        readFileSync(file, 'utf8'),
      ),
    );
    expect(offenders.map((file) => relative(root, file))).toEqual([]);
    const reading = sources.filter((file) => /\breads\b/.test(readFileSync(file, 'utf8')));
    expect(reading.length).toBeGreaterThan(3);
  });
});
