import { describe, expect, it } from 'vitest';
import {
  type KeyEventLike,
  keysymName,
  MODIFIER_KEYSYMS,
  translateKey,
} from '../../../shared/keyboard/translate.ts';

function ev(key: string, code: string, extra: Partial<KeyEventLike> = {}): KeyEventLike {
  return {
    key,
    code,
    location: 0,
    shiftKey: false,
    ctrlKey: false,
    altKey: false,
    metaKey: false,
    ...extra,
  };
}

describe('translateKey: printable characters come from event.key', () => {
  it('US layout letters', () => {
    expect(translateKey(ev('a', 'KeyA'))).toEqual({ keysym: 0x61, scancode: 0x1e });
    expect(translateKey(ev('A', 'KeyA', { shiftKey: true }))).toEqual({ keysym: 0x41, scancode: 0x1e });
  });

  it('AZERTY: the character typed, the scancode of the physical key', () => {
    expect(translateKey(ev('a', 'KeyQ'))).toEqual({ keysym: 0x61, scancode: 0x10 });
    expect(translateKey(ev('q', 'KeyA'))).toEqual({ keysym: 0x71, scancode: 0x1e });
    expect(translateKey(ev('&', 'Digit1'))).toEqual({ keysym: 0x26, scancode: 0x02 });
  });

  it('shifted symbols send the symbol, not the digit', () => {
    expect(translateKey(ev('!', 'Digit1', { shiftKey: true }))).toEqual({ keysym: 0x21, scancode: 0x02 });
    expect(translateKey(ev('1', 'Digit1'))).toEqual({ keysym: 0x31, scancode: 0x02 });
  });

  it('space and non-ASCII characters', () => {
    expect(translateKey(ev(' ', 'Space'))).toEqual({ keysym: 0x20, scancode: 0x39 });
    expect(translateKey(ev('é', 'Digit2'))).toEqual({ keysym: 0xe9, scancode: 0x03 });
    expect(translateKey(ev('ł', 'KeyL'))).toEqual({ keysym: 0x1b3, scancode: 0x26 });
    expect(translateKey(ev('я', 'KeyZ'))).toEqual({ keysym: 0x6d1, scancode: 0x2c });
  });

  it('a decomposed character is normalised to one code point', () => {
    expect(translateKey(ev('e\u0301', 'KeyE'))?.keysym).toBe(0xe9);
  });
});

describe('translateKey: AltGr', () => {
  it('AltGraph is ISO_Level3_Shift', () => {
    expect(translateKey(ev('AltGraph', 'AltRight', { location: 2 }))).toEqual({
      keysym: 0xfe03,
      scancode: 0xb8,
    });
  });

  it('characters typed with AltGr send the character (German @ on Q, € on E)', () => {
    const altGr = { ctrlKey: true, altKey: true };
    expect(translateKey(ev('@', 'KeyQ', altGr))).toEqual({ keysym: 0x40, scancode: 0x10 });
    expect(translateKey(ev('€', 'KeyE', altGr))).toEqual({ keysym: 0x20ac, scancode: 0x12 });
  });
});

describe('translateKey: Ctrl combinations', () => {
  it('uses the letter Chromium reports', () => {
    expect(translateKey(ev('a', 'KeyA', { ctrlKey: true }))).toEqual({ keysym: 0x61, scancode: 0x1e });
    expect(translateKey(ev('A', 'KeyA', { ctrlKey: true, shiftKey: true }))?.keysym).toBe(0x41);
    expect(translateKey(ev('c', 'KeyC', { ctrlKey: true }))?.keysym).toBe(0x63);
  });

  it('falls back to the US character for a control character or Unidentified', () => {
    expect(translateKey(ev('\u0001', 'KeyA', { ctrlKey: true }))).toEqual({ keysym: 0x61, scancode: 0x1e });
    expect(translateKey(ev('\u0001', 'KeyA', { ctrlKey: true, shiftKey: true }))?.keysym).toBe(0x41);
    expect(translateKey(ev('Unidentified', 'KeyW', { ctrlKey: true }))?.keysym).toBe(0x77);
    expect(translateKey(ev('\u001b', 'BracketLeft', { ctrlKey: true }))?.keysym).toBe(0x5b);
    expect(translateKey(ev('Unidentified', 'Digit2', { ctrlKey: true, shiftKey: true }))?.keysym).toBe(0x40);
  });
});

describe('translateKey: keys that send nothing', () => {
  it('dead keys wait for the composed character', () => {
    expect(translateKey(ev('Dead', 'BracketLeft'))).toBeUndefined();
    expect(translateKey(ev('Dead', 'Equal', { shiftKey: true }))).toBeUndefined();
    // The composed character arrives as a normal key event.
    expect(translateKey(ev('ê', 'KeyE'))?.keysym).toBe(0xea);
  });

  it('unknown keys and IME processing', () => {
    expect(translateKey(ev('Unidentified', ''))).toBeUndefined();
    expect(translateKey(ev('Process', 'KeyA'))).toBeUndefined();
    expect(translateKey(ev('AudioVolumeUp', 'AudioVolumeUp'))).toBeUndefined();
  });
});

describe('translateKey: named keys', () => {
  const cases: [string, string, number, number][] = [
    ['Enter', 'Enter', 0xff0d, 0x1c],
    ['Tab', 'Tab', 0xff09, 0x0f],
    ['Backspace', 'Backspace', 0xff08, 0x0e],
    ['Escape', 'Escape', 0xff1b, 0x01],
    ['Delete', 'Delete', 0xffff, 0xd3],
    ['Insert', 'Insert', 0xff63, 0xd2],
    ['Home', 'Home', 0xff50, 0xc7],
    ['End', 'End', 0xff57, 0xcf],
    ['PageUp', 'PageUp', 0xff55, 0xc9],
    ['PageDown', 'PageDown', 0xff56, 0xd1],
    ['ArrowLeft', 'ArrowLeft', 0xff51, 0xcb],
    ['ArrowUp', 'ArrowUp', 0xff52, 0xc8],
    ['ArrowRight', 'ArrowRight', 0xff53, 0xcd],
    ['ArrowDown', 'ArrowDown', 0xff54, 0xd0],
    ['F1', 'F1', 0xffbe, 0x3b],
    ['F12', 'F12', 0xffc9, 0x58],
    ['F13', 'F13', 0xffca, 0x5d],
    ['F24', 'F24', 0xffd5, 0x6f],
    ['CapsLock', 'CapsLock', 0xffe5, 0x3a],
    ['NumLock', 'NumLock', 0xff7f, 0x45],
    ['ScrollLock', 'ScrollLock', 0xff14, 0x46],
    ['PrintScreen', 'PrintScreen', 0xff61, 0x54],
    ['Pause', 'Pause', 0xff13, 0xc6],
    ['ContextMenu', 'ContextMenu', 0xff67, 0xdd],
    ['Convert', 'Convert', 0xff23, 0x79],
    ['NonConvert', 'NonConvert', 0xff22, 0x7b],
  ];
  for (const [key, code, keysym, scancode] of cases) {
    it(`${key} → keysym 0x${keysym.toString(16)}, scancode 0x${scancode.toString(16)}`, () => {
      expect(translateKey(ev(key, code))).toEqual({ keysym, scancode });
    });
  }

  it('F25 and beyond are not function keysyms', () => {
    expect(translateKey(ev('F25', ''))).toBeUndefined();
  });
});

describe('translateKey: modifiers, left and right from location', () => {
  const cases: [string, string, number, number, number][] = [
    ['Shift', 'ShiftLeft', 1, 0xffe1, 0x2a],
    ['Shift', 'ShiftRight', 2, 0xffe2, 0x36],
    ['Control', 'ControlLeft', 1, 0xffe3, 0x1d],
    ['Control', 'ControlRight', 2, 0xffe4, 0x9d],
    ['Alt', 'AltLeft', 1, 0xffe9, 0x38],
    ['Alt', 'AltRight', 2, 0xffea, 0xb8],
    ['Meta', 'MetaLeft', 1, 0xffeb, 0xdb],
    ['Meta', 'MetaRight', 2, 0xffec, 0xdc],
    ['OS', 'OSLeft', 1, 0xffeb, 0xdb],
    ['OS', 'OSRight', 2, 0xffec, 0xdc],
  ];
  for (const [key, code, location, keysym, scancode] of cases) {
    it(`${code} → keysym 0x${keysym.toString(16)}`, () => {
      expect(translateKey(ev(key, code, { location }))).toEqual({ keysym, scancode });
    });
  }

  it('without a location, the side comes from the code', () => {
    expect(translateKey(ev('Control', 'ControlRight'))?.keysym).toBe(0xffe4);
    expect(translateKey(ev('Shift', ''))?.keysym).toBe(0xffe1);
  });

  it('MODIFIER_KEYSYMS holds the held modifiers, not lock keys or letters', () => {
    for (const k of [0xffe1, 0xffe2, 0xffe3, 0xffe4, 0xffe9, 0xffea, 0xffeb, 0xffec, 0xfe03]) {
      expect(MODIFIER_KEYSYMS.has(k)).toBe(true);
    }
    expect(MODIFIER_KEYSYMS.has(0xffe5)).toBe(false);
    expect(MODIFIER_KEYSYMS.has(0x61)).toBe(false);
  });
});

describe('translateKey: numpad', () => {
  const np = { location: 3 };

  it('NumLock on: digits and operators are KP_ keysyms', () => {
    expect(translateKey(ev('0', 'Numpad0', np))).toEqual({ keysym: 0xffb0, scancode: 0x52 });
    expect(translateKey(ev('7', 'Numpad7', np))).toEqual({ keysym: 0xffb7, scancode: 0x47 });
    expect(translateKey(ev('9', 'Numpad9', np))).toEqual({ keysym: 0xffb9, scancode: 0x49 });
    expect(translateKey(ev('.', 'NumpadDecimal', np))).toEqual({ keysym: 0xffae, scancode: 0x53 });
    expect(translateKey(ev(',', 'NumpadDecimal', np))).toEqual({ keysym: 0xffae, scancode: 0x53 });
    expect(translateKey(ev('+', 'NumpadAdd', np))).toEqual({ keysym: 0xffab, scancode: 0x4e });
    expect(translateKey(ev('-', 'NumpadSubtract', np))).toEqual({ keysym: 0xffad, scancode: 0x4a });
    expect(translateKey(ev('*', 'NumpadMultiply', np))).toEqual({ keysym: 0xffaa, scancode: 0x37 });
    expect(translateKey(ev('/', 'NumpadDivide', np))).toEqual({ keysym: 0xffaf, scancode: 0xb5 });
    expect(translateKey(ev('Enter', 'NumpadEnter', np))).toEqual({ keysym: 0xff8d, scancode: 0x9c });
    expect(translateKey(ev('=', 'NumpadEqual', np))).toEqual({ keysym: 0xffbd, scancode: 0x59 });
    expect(translateKey(ev(',', 'NumpadComma', np))).toEqual({ keysym: 0xffac, scancode: 0x7e });
  });

  it('NumLock off: navigation keys on the numpad are KP_Home, KP_Left, …', () => {
    expect(translateKey(ev('Home', 'Numpad7', np))).toEqual({ keysym: 0xff95, scancode: 0x47 });
    expect(translateKey(ev('ArrowLeft', 'Numpad4', np))).toEqual({ keysym: 0xff96, scancode: 0x4b });
    expect(translateKey(ev('ArrowUp', 'Numpad8', np))).toEqual({ keysym: 0xff97, scancode: 0x48 });
    expect(translateKey(ev('ArrowRight', 'Numpad6', np))).toEqual({ keysym: 0xff98, scancode: 0x4d });
    expect(translateKey(ev('ArrowDown', 'Numpad2', np))).toEqual({ keysym: 0xff99, scancode: 0x50 });
    expect(translateKey(ev('PageUp', 'Numpad9', np))).toEqual({ keysym: 0xff9a, scancode: 0x49 });
    expect(translateKey(ev('PageDown', 'Numpad3', np))).toEqual({ keysym: 0xff9b, scancode: 0x51 });
    expect(translateKey(ev('End', 'Numpad1', np))).toEqual({ keysym: 0xff9c, scancode: 0x4f });
    expect(translateKey(ev('Clear', 'Numpad5', np))).toEqual({ keysym: 0xff9d, scancode: 0x4c });
    expect(translateKey(ev('Insert', 'Numpad0', np))).toEqual({ keysym: 0xff9e, scancode: 0x52 });
    expect(translateKey(ev('Delete', 'NumpadDecimal', np))).toEqual({ keysym: 0xff9f, scancode: 0x53 });
  });

  it('the same keys off the numpad are the plain keysyms', () => {
    expect(translateKey(ev('Home', 'Home'))?.keysym).toBe(0xff50);
    expect(translateKey(ev('7', 'Digit7'))?.keysym).toBe(0x37);
    expect(translateKey(ev('Enter', 'Enter'))?.keysym).toBe(0xff0d);
  });
});

describe('keysymName', () => {
  it('names keysyms for logs', () => {
    expect(keysymName(0xff0d)).toBe('Return');
    expect(keysymName(0xffc9)).toBe('F12');
    expect(keysymName(0xfe03)).toBe('ISO_Level3_Shift');
    expect(keysymName(0x61)).toBe('a');
    expect(keysymName(0xe9)).toBe('é');
    expect(keysymName(0x0100_0000 | 0x1f600)).toBe('U+1F600');
    expect(keysymName(0x1b3)).toBe('0x1b3');
  });
});
