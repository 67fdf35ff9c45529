import { describe, expect, it } from 'vitest';
import { xtScancodeForCode } from '../../../shared/keyboard/scancodes.ts';

describe('xtScancodeForCode', () => {
  const cases: [string, number][] = [
    ['Escape', 0x01],
    ['Digit1', 0x02],
    ['Digit0', 0x0b],
    ['Backspace', 0x0e],
    ['Tab', 0x0f],
    ['KeyQ', 0x10],
    ['KeyA', 0x1e],
    ['KeyZ', 0x2c],
    ['KeyM', 0x32],
    ['Enter', 0x1c],
    ['ControlLeft', 0x1d],
    ['ShiftLeft', 0x2a],
    ['ShiftRight', 0x36],
    ['AltLeft', 0x38],
    ['Space', 0x39],
    ['CapsLock', 0x3a],
    ['Backquote', 0x29],
    ['Backslash', 0x2b],
    ['IntlBackslash', 0x56],
    ['F1', 0x3b],
    ['F10', 0x44],
    ['F11', 0x57],
    ['F12', 0x58],
    ['NumLock', 0x45],
    ['ScrollLock', 0x46],
    ['Numpad7', 0x47],
    ['Numpad0', 0x52],
    ['NumpadDecimal', 0x53],
    ['NumpadMultiply', 0x37],
    ['NumpadSubtract', 0x4a],
    ['NumpadAdd', 0x4e],
    ['IntlRo', 0x73],
    ['IntlYen', 0x7d],
    ['Convert', 0x79],
    ['NonConvert', 0x7b],
    ['KanaMode', 0x70],
    ['Lang1', 0x72],
    ['Lang2', 0x71],
  ];
  for (const [code, scancode] of cases) {
    it(`${code} → 0x${scancode.toString(16)}`, () => expect(xtScancodeForCode(code)).toBe(scancode));
  }

  const extended: [string, number][] = [
    ['NumpadEnter', 0x9c],
    ['ControlRight', 0x9d],
    ['NumpadDivide', 0xb5],
    ['AltRight', 0xb8],
    ['Home', 0xc7],
    ['ArrowUp', 0xc8],
    ['PageUp', 0xc9],
    ['ArrowLeft', 0xcb],
    ['ArrowRight', 0xcd],
    ['End', 0xcf],
    ['ArrowDown', 0xd0],
    ['PageDown', 0xd1],
    ['Insert', 0xd2],
    ['Delete', 0xd3],
    ['MetaLeft', 0xdb],
    ['MetaRight', 0xdc],
    ['ContextMenu', 0xdd],
    ['OSLeft', 0xdb],
  ];
  for (const [code, scancode] of extended) {
    it(`0xE0-prefixed ${code} → 0x${scancode.toString(16)}`, () =>
      expect(xtScancodeForCode(code)).toBe(scancode));
  }

  it("follows QEMU's conventions for PrintScreen (0x54) and Pause (0xc6)", () => {
    expect(xtScancodeForCode('PrintScreen')).toBe(0x54);
    expect(xtScancodeForCode('Pause')).toBe(0xc6);
  });

  it('gives 0 for unknown or empty codes and inherited property names', () => {
    expect(xtScancodeForCode('')).toBe(0);
    expect(xtScancodeForCode('Unidentified')).toBe(0);
    expect(xtScancodeForCode('KeyÄ')).toBe(0);
    expect(xtScancodeForCode('toString')).toBe(0);
    expect(xtScancodeForCode('__proto__')).toBe(0);
  });

  it('gives every key of a 105-key ISO layout a distinct scancode', () => {
    const codes = [
      ...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('').map((c) => `Key${c}`),
      ...'0123456789'.split('').map((d) => `Digit${d}`),
      ...Array.from({ length: 12 }, (_, i) => `F${i + 1}`),
      ...'0123456789'.split('').map((d) => `Numpad${d}`),
      'Escape',
      'Backquote',
      'Minus',
      'Equal',
      'Backspace',
      'Tab',
      'BracketLeft',
      'BracketRight',
      'Backslash',
      'CapsLock',
      'Semicolon',
      'Quote',
      'Enter',
      'ShiftLeft',
      'IntlBackslash',
      'Comma',
      'Period',
      'Slash',
      'ShiftRight',
      'ControlLeft',
      'MetaLeft',
      'AltLeft',
      'Space',
      'AltRight',
      'MetaRight',
      'ContextMenu',
      'ControlRight',
      'PrintScreen',
      'ScrollLock',
      'Pause',
      'Insert',
      'Home',
      'PageUp',
      'Delete',
      'End',
      'PageDown',
      'ArrowUp',
      'ArrowLeft',
      'ArrowDown',
      'ArrowRight',
      'NumLock',
      'NumpadDivide',
      'NumpadMultiply',
      'NumpadSubtract',
      'NumpadAdd',
      'NumpadEnter',
      'NumpadDecimal',
    ];
    expect(codes).toHaveLength(105);
    const scancodes = codes.map(xtScancodeForCode);
    expect(scancodes.every((s) => s > 0 && s <= 0xff)).toBe(true);
    expect(new Set(scancodes).size).toBe(105);
  });
});
