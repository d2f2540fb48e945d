import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { quoteShellArg, quoteShellArgs } from './quote.js';

/** What a real POSIX shell makes of the quoted command line: one entry per argument. */
function throughShell(args: string[]): string[] {
  const result = spawnSync('sh', ['-c', `printf '%s\\0' ${quoteShellArgs(args)}`], { encoding: 'utf8' });
  expect(result.status).toBe(0);
  return result.stdout.split('\0').slice(0, -1);
}

describe('quoteShellArgs', () => {
  it('survives a real sh -c unchanged, hostile arguments included', () => {
    const args = [
      'plain',
      '',
      'two words',
      "it's",
      "''",
      '"double"',
      '$HOME',
      '`id`',
      '$(id)',
      '; rm -rf /',
      '*',
      '~',
      'a\nb',
      'tab\there',
      '-n',
      '\\',
      'ünïcødé ✓',
      '!event',
      '#comment',
      '&& ||',
      '{a,b}',
    ];
    expect(throughShell(args)).toEqual(args);
  });

  it('leaves plain words alone and quotes the rest', () => {
    expect(quoteShellArg('abc/def-1.2')).toBe('abc/def-1.2');
    expect(quoteShellArg('')).toBe("''");
    expect(quoteShellArg("a'b")).toBe("'a'\\''b'");
  });

  it('refuses NUL bytes, which no argument can carry', () => {
    expect(() => quoteShellArg('a\0b')).toThrow(TypeError);
  });
});
