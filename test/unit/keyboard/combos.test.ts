import { describe, expect, it } from 'vitest';
import { comboEvents, findCombo, KEY_COMBOS } from '../../../shared/keyboard/combos.ts';

describe('KEY_COMBOS', () => {
  it('has unique ids and every key has a scancode', () => {
    expect(new Set(KEY_COMBOS.map((c) => c.id)).size).toBe(KEY_COMBOS.length);
    for (const combo of KEY_COMBOS) {
      expect(combo.keys.length).toBeGreaterThan(0);
      for (const k of combo.keys) expect(k.scancode).toBeGreaterThan(0);
    }
  });

  it('Ctrl+Alt+Del is Control_L, Alt_L, Delete with their XT scancodes', () => {
    expect(findCombo('ctrl-alt-del')?.keys).toEqual([
      { keysym: 0xffe3, scancode: 0x1d },
      { keysym: 0xffe9, scancode: 0x38 },
      { keysym: 0xffff, scancode: 0xd3 },
    ]);
  });

  it('Ctrl+Alt+F1…F12 cover every function key', () => {
    const fkeys = Array.from({ length: 12 }, (_, i) => findCombo(`ctrl-alt-f${i + 1}`)?.keys[2]);
    expect(fkeys.map((k) => k?.keysym)).toEqual(Array.from({ length: 12 }, (_, i) => 0xffbe + i));
    expect(fkeys.map((k) => k?.scancode)).toEqual([
      0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41, 0x42, 0x43, 0x44, 0x57, 0x58,
    ]);
    expect(findCombo('ctrl-alt-f7')?.label).toBe('Ctrl+Alt+F7');
  });

  it('the single keys and the other combinations', () => {
    expect(findCombo('ctrl-alt-backspace')?.keys[2]).toEqual({ keysym: 0xff08, scancode: 0x0e });
    expect(findCombo('win')?.keys).toEqual([{ keysym: 0xffeb, scancode: 0xdb }]);
    expect(findCombo('alt-tab')?.keys).toEqual([
      { keysym: 0xffe9, scancode: 0x38 },
      { keysym: 0xff09, scancode: 0x0f },
    ]);
    expect(findCombo('print-screen')?.keys).toEqual([{ keysym: 0xff61, scancode: 0x54 }]);
    expect(findCombo('sysrq')?.keys).toEqual([
      { keysym: 0xffe9, scancode: 0x38 },
      { keysym: 0xff15, scancode: 0x54 },
    ]);
    expect(findCombo('ctrl-esc')?.keys[1]).toEqual({ keysym: 0xff1b, scancode: 0x01 });
    expect(findCombo('alt-f4')?.keys[1]).toEqual({ keysym: 0xffc1, scancode: 0x3e });
    expect(findCombo('f8')?.keys).toEqual([{ keysym: 0xffc5, scancode: 0x42 }]);
    expect(findCombo('nope')).toBeUndefined();
  });
});

describe('comboEvents', () => {
  it('presses in order and releases in reverse order', () => {
    const combo = findCombo('ctrl-alt-del');
    expect(combo).toBeDefined();
    if (!combo) return;
    expect(comboEvents(combo)).toEqual([
      { keysym: 0xffe3, scancode: 0x1d, down: true },
      { keysym: 0xffe9, scancode: 0x38, down: true },
      { keysym: 0xffff, scancode: 0xd3, down: true },
      { keysym: 0xffff, scancode: 0xd3, down: false },
      { keysym: 0xffe9, scancode: 0x38, down: false },
      { keysym: 0xffe3, scancode: 0x1d, down: false },
    ]);
  });

  it('a single key is one press and one release, and the combo is not modified', () => {
    const combo = findCombo('f8');
    if (!combo) throw new Error('missing f8');
    expect(comboEvents(combo)).toEqual([
      { keysym: 0xffc5, scancode: 0x42, down: true },
      { keysym: 0xffc5, scancode: 0x42, down: false },
    ]);
    expect(combo.keys).toHaveLength(1);
  });
});
