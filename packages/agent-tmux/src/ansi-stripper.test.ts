import { describe, expect, it } from 'vitest';
import { AnsiStripper } from './ansi-stripper.js';

describe('AnsiStripper', () => {
  it('removes colours, cursor moves, titles and modes, keeps text, newlines and tabs', () => {
    const raw =
      '\x1b[?2004h\x1b]0;title\x07\x1b[1;31mred\x1b[0m\tok\r\n\x1b[2K\x1b[1Gnext\x1b(Bline\x1bP1$r\x1b\\\r\n';
    expect(new AnsiStripper().push(raw)).toBe('red\tok\nnextline\n');
  });

  it('strips sequences split across chunks', () => {
    const stripper = new AnsiStripper();
    const parts = ['a\x1b', '[3', '1mb\x1b]0;ti', 'tle\x1b', '\\c'];
    expect(parts.map((part) => stripper.push(part)).join('')).toBe('abc');
  });

  it('keeps unicode text', () => {
    expect(new AnsiStripper().push('✓ ünïcødé \x1b[32m日本\x1b[0m')).toBe('✓ ünïcødé 日本');
  });
});
