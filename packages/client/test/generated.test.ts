import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedTypes } from '../scripts/types.js';

describe('the generated types', () => {
  it('match the route declarations (run `pnpm --filter @orcha/client generate` after changing a route)', async () => {
    const file = readFileSync(join(import.meta.dirname, '..', 'src', 'generated', 'openapi.ts'), 'utf8');
    expect(file).toBe(await generatedTypes());
  });

  it('type every operation’s success response', async () => {
    const types = await generatedTypes();
    const operations = types.slice(types.indexOf('export interface operations'));
    const blocks = operations.split(/\n {4}(?=[a-zA-Z]+: \{\n {8}parameters)/).slice(1);
    expect(blocks.length).toBeGreaterThan(25);
    for (const block of blocks)
      expect(block, block.slice(0, 40)).toMatch(/\n {12}20[0-9]: \{\n[\s\S]*?content: \{\n {20}"[a-z/-]+": /);
  });
});
