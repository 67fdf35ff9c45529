// Key combinations the toolbar sends (keys a desktop viewer would otherwise grab or cannot type).
import {
  functionKeysym,
  XK_Alt_L,
  XK_BackSpace,
  XK_Control_L,
  XK_Delete,
  XK_Escape,
  XK_F4,
  XK_F8,
  XK_Print,
  XK_Super_L,
  XK_Sys_Req,
  XK_Tab,
} from './keysyms.ts';
import { xtScancodeForCode } from './scancodes.ts';
import type { TranslatedKey } from './translate.ts';

export interface KeyCombo {
  id: string;
  label: string;
  /** Pressed in this order, released in reverse order. */
  keys: TranslatedKey[];
}

export interface ComboEvent {
  keysym: number;
  scancode: number;
  down: boolean;
}

function key(keysym: number, code: string): TranslatedKey {
  return { keysym, scancode: xtScancodeForCode(code) };
}

const CTRL = key(XK_Control_L, 'ControlLeft');
const ALT = key(XK_Alt_L, 'AltLeft');

function ctrlAltF(n: number): KeyCombo {
  return {
    id: `ctrl-alt-f${n}`,
    label: `Ctrl+Alt+F${n}`,
    keys: [CTRL, ALT, key(functionKeysym(n), `F${n}`)],
  };
}

export const KEY_COMBOS: readonly KeyCombo[] = [
  { id: 'ctrl-alt-del', label: 'Ctrl+Alt+Del', keys: [CTRL, ALT, key(XK_Delete, 'Delete')] },
  {
    id: 'ctrl-alt-backspace',
    label: 'Ctrl+Alt+Backspace',
    keys: [CTRL, ALT, key(XK_BackSpace, 'Backspace')],
  },
  ...Array.from({ length: 12 }, (_, i) => ctrlAltF(i + 1)),
  { id: 'win', label: 'Win', keys: [key(XK_Super_L, 'MetaLeft')] },
  { id: 'alt-tab', label: 'Alt+Tab', keys: [ALT, key(XK_Tab, 'Tab')] },
  { id: 'print-screen', label: 'PrintScreen', keys: [key(XK_Print, 'PrintScreen')] },
  // Alt+PrintScreen is SysRq; QEMU uses scancode 0x54 for both keysyms.
  { id: 'sysrq', label: 'SysRq', keys: [ALT, key(XK_Sys_Req, 'PrintScreen')] },
  { id: 'ctrl-esc', label: 'Ctrl+Esc', keys: [CTRL, key(XK_Escape, 'Escape')] },
  { id: 'alt-f4', label: 'Alt+F4', keys: [ALT, key(XK_F4, 'F4')] },
  { id: 'f8', label: 'F8', keys: [key(XK_F8, 'F8')] },
];

/** The combination with this id, or undefined. */
export function findCombo(id: string): KeyCombo | undefined {
  return KEY_COMBOS.find((c) => c.id === id);
}

/** Events to send for a combination: every key down in order, then every key up in reverse order. */
export function comboEvents(combo: KeyCombo): ComboEvent[] {
  const downs = combo.keys.map((k) => ({ keysym: k.keysym, scancode: k.scancode, down: true }));
  const ups = [...combo.keys].reverse().map((k) => ({ keysym: k.keysym, scancode: k.scancode, down: false }));
  return [...downs, ...ups];
}
