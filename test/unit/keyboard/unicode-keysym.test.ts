import { describe, expect, it } from 'vitest';
import { keysymForCharacter, keysymForCodePoint } from '../../../shared/keyboard/unicode-keysym.ts';

describe('keysymForCharacter', () => {
  it('maps printable ASCII and Latin-1 to themselves', () => {
    expect(keysymForCharacter('a')).toBe(0x61);
    expect(keysymForCharacter('A')).toBe(0x41);
    expect(keysymForCharacter(' ')).toBe(0x20);
    expect(keysymForCharacter('~')).toBe(0x7e);
    expect(keysymForCharacter('é')).toBe(0xe9);
    expect(keysymForCharacter('ß')).toBe(0xdf);
    expect(keysymForCharacter('ÿ')).toBe(0xff);
    expect(keysymForCharacter('\u00a0')).toBe(0xa0);
  });

  it('maps control characters, DEL, C1 controls and the empty string to 0', () => {
    expect(keysymForCharacter('\u0000')).toBe(0);
    expect(keysymForCharacter('\u0001')).toBe(0);
    expect(keysymForCharacter('\n')).toBe(0);
    expect(keysymForCharacter('\u007f')).toBe(0);
    expect(keysymForCharacter('\u0085')).toBe(0);
    expect(keysymForCharacter('')).toBe(0);
    expect(keysymForCodePoint(0xd800)).toBe(0);
    expect(keysymForCodePoint(0x110000)).toBe(0);
  });

  it('maps Latin-2 letters to their legacy keysyms', () => {
    expect(keysymForCharacter('ł')).toBe(0x1b3);
    expect(keysymForCharacter('Ł')).toBe(0x1a3);
    expect(keysymForCharacter('ő')).toBe(0x1f5);
    expect(keysymForCharacter('Ő')).toBe(0x1d5);
    expect(keysymForCharacter('č')).toBe(0x1e8);
    expect(keysymForCharacter('Č')).toBe(0x1c8);
    expect(keysymForCharacter('ą')).toBe(0x1b1);
    expect(keysymForCharacter('ž')).toBe(0x1be);
    expect(keysymForCharacter('ů')).toBe(0x1f9);
    expect(keysymForCharacter('ˇ')).toBe(0x1b7);
  });

  it('maps Latin-3 and Latin-4 letters to their legacy keysyms', () => {
    expect(keysymForCharacter('ğ')).toBe(0x2bb);
    expect(keysymForCharacter('İ')).toBe(0x2a9);
    expect(keysymForCharacter('ı')).toBe(0x2b9);
    expect(keysymForCharacter('ŝ')).toBe(0x2fe);
    expect(keysymForCharacter('ĸ')).toBe(0x3a2);
    expect(keysymForCharacter('ā')).toBe(0x3e0);
    expect(keysymForCharacter('ŋ')).toBe(0x3bf);
    expect(keysymForCharacter('ū')).toBe(0x3fe);
  });

  it('maps Latin-9 letters and the euro sign to their legacy keysyms', () => {
    expect(keysymForCharacter('€')).toBe(0x20ac);
    expect(keysymForCharacter('Œ')).toBe(0x13bc);
    expect(keysymForCharacter('œ')).toBe(0x13bd);
    expect(keysymForCharacter('Ÿ')).toBe(0x13be);
  });

  it('maps Cyrillic letters to their legacy keysyms', () => {
    expect(keysymForCharacter('а')).toBe(0x6c1);
    expect(keysymForCharacter('я')).toBe(0x6d1);
    expect(keysymForCharacter('Я')).toBe(0x6f1);
    expect(keysymForCharacter('ё')).toBe(0x6a3);
    expect(keysymForCharacter('ї')).toBe(0x6a7);
  });

  it('maps other characters to 0x01000000 | code point', () => {
    expect(keysymForCharacter('😀')).toBe(0x0100_0000 | 0x1f600);
    expect(keysymForCharacter('α')).toBe(0x0100_0000 | 0x3b1);
    expect(keysymForCharacter('中')).toBe(0x0100_0000 | 0x4e2d);
    expect(keysymForCharacter('ǒ')).toBe(0x0100_0000 | 0x1d2);
  });
});
