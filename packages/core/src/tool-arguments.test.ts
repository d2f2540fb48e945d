import { isOrchaError } from '@orcha/model';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { closestName, parseToolArguments } from './tool-arguments.js';

const input = z.object({ prompt: z.string().min(1), dependsOn: z.array(z.string()).optional() }).strict();

function refusal(raw: unknown): string {
  try {
    parseToolArguments('spawn_session', input, raw);
  } catch (error) {
    expect(isOrchaError(error, 'invalid_argument')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('parseToolArguments', () => {
  it('accepts known arguments and treats missing arguments as none', () => {
    expect(parseToolArguments('spawn_session', input, { prompt: 'p', dependsOn: ['a'] })).toEqual({
      prompt: 'p',
      dependsOn: ['a'],
    });
    expect(parseToolArguments('list_sessions', z.object({}).strict(), undefined)).toEqual({});
  });

  it('refuses an unknown key by name, with the closest known name when it looks like a typo', () => {
    expect(refusal({ prompt: 'p', dependson: ['a'] })).toContain('"dependson" (did you mean "dependsOn"?)');
    expect(refusal({ prompt: 'p', depends_on: ['a'] })).toContain('did you mean "dependsOn"?');
    const far = refusal({ prompt: 'p', unexpected: true });
    expect(far).toContain('"unexpected"');
    expect(far).not.toContain('did you mean');
    expect(far).toContain('it takes prompt, dependsOn');
  });

  it('refuses arguments that are not an object, and values that fail the schema', () => {
    expect(refusal([1])).toContain('must be a JSON object');
    expect(refusal('x')).toContain('must be a JSON object');
    expect(refusal({ prompt: '' })).toContain('prompt:');
  });
});

describe('closestName', () => {
  it('finds near names case-insensitively and nothing for far ones', () => {
    expect(closestName('SESSIONID', ['sessionId', 'limit'])).toBe('sessionId');
    expect(closestName('limt', ['sessionId', 'limit'])).toBe('limit');
    expect(closestName('zzzzzz', ['sessionId', 'limit'])).toBeNull();
    expect(closestName('x', [])).toBeNull();
  });
});
