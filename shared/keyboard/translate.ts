// Browser key event → RFB keysym plus XT scancode (for QEMU's Extended Key Event).
//
// The keysym follows what TigerVNC and noVNC users expect: a printable key sends the character the
// user's own layout produced (`event.key`), so any layout works without a server-side keymap; named
// keys send their X11 function keysym; the scancode always names the physical key (`event.code`).
//
// Dead keys: `key === 'Dead'` gives undefined. Which dead keysym the layout means cannot be known from
// the event, so the renderer must not send anything for it and rely on the composed character instead:
// it arrives as the next keydown's `key` (e.g. 'é') or, in an IME, as compositionend data, which the
// renderer sends as a press and release of keysymForCharacter(data).
import * as XK from './keysyms.ts';
import { xtScancodeForCode } from './scancodes.ts';
import { keysymForCharacter } from './unicode-keysym.ts';

export interface KeyEventLike {
  key: string;
  code: string;
  location: number;
  shiftKey: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  getModifierState?(k: string): boolean;
}

export interface TranslatedKey {
  keysym: number;
  scancode: number;
}

/** KeyboardEvent.location values. */
const LOCATION_RIGHT = 2;
const LOCATION_NUMPAD = 3;

/** Named keys whose keysym does not depend on side or numpad. */
const NAMED: Readonly<Record<string, number>> = {
  Backspace: XK.XK_BackSpace,
  Tab: XK.XK_Tab,
  Enter: XK.XK_Return,
  Escape: XK.XK_Escape,
  Esc: XK.XK_Escape,
  Delete: XK.XK_Delete,
  Del: XK.XK_Delete,
  Insert: XK.XK_Insert,
  Home: XK.XK_Home,
  End: XK.XK_End,
  PageUp: XK.XK_Page_Up,
  PageDown: XK.XK_Page_Down,
  ArrowLeft: XK.XK_Left,
  ArrowUp: XK.XK_Up,
  ArrowRight: XK.XK_Right,
  ArrowDown: XK.XK_Down,
  Left: XK.XK_Left,
  Up: XK.XK_Up,
  Right: XK.XK_Right,
  Down: XK.XK_Down,
  Clear: XK.XK_Clear,
  CapsLock: XK.XK_Caps_Lock,
  NumLock: XK.XK_Num_Lock,
  ScrollLock: XK.XK_Scroll_Lock,
  Scroll: XK.XK_Scroll_Lock,
  PrintScreen: XK.XK_Print,
  Pause: XK.XK_Pause,
  ContextMenu: XK.XK_Menu,
  Apps: XK.XK_Menu,
  AltGraph: XK.XK_ISO_Level3_Shift,
  Help: XK.XK_Help,
  Select: XK.XK_Select,
  Execute: XK.XK_Execute,
  Undo: XK.XK_Undo,
  Redo: XK.XK_Redo,
  Find: XK.XK_Find,
  Cancel: XK.XK_Cancel,
  Compose: XK.XK_Multi_key,
  ModeChange: XK.XK_Mode_switch,
  Convert: XK.XK_Henkan,
  NonConvert: XK.XK_Muhenkan,
  KanaMode: XK.XK_Hiragana_Katakana,
  HiraganaKatakana: XK.XK_Hiragana_Katakana,
  Hiragana: XK.XK_Hiragana,
  Katakana: XK.XK_Katakana,
  KanjiMode: XK.XK_Kanji,
  ZenkakuHankaku: XK.XK_Zenkaku_Hankaku,
  Zenkaku: XK.XK_Zenkaku_Hankaku,
  Hankaku: XK.XK_Zenkaku_Hankaku,
  Eisu: XK.XK_Eisu_toggle,
  Alphanumeric: XK.XK_Eisu_toggle,
  HangulMode: XK.XK_Hangul,
  HanjaMode: XK.XK_Hangul_Hanja,
};

/** Modifier keys: [left keysym, right keysym]. */
const SIDED: Readonly<Record<string, readonly [number, number]>> = {
  Shift: [XK.XK_Shift_L, XK.XK_Shift_R],
  Control: [XK.XK_Control_L, XK.XK_Control_R],
  Alt: [XK.XK_Alt_L, XK.XK_Alt_R],
  Meta: [XK.XK_Super_L, XK.XK_Super_R],
  OS: [XK.XK_Super_L, XK.XK_Super_R],
  Super: [XK.XK_Super_L, XK.XK_Super_R],
  Hyper: [XK.XK_Hyper_L, XK.XK_Hyper_R],
};

/** Numpad keys with NumLock on (by `key`). */
const NUMPAD_CHARS: Readonly<Record<string, number>> = {
  '0': XK.XK_KP_0,
  '1': XK.XK_KP_1,
  '2': XK.XK_KP_2,
  '3': XK.XK_KP_3,
  '4': XK.XK_KP_4,
  '5': XK.XK_KP_5,
  '6': XK.XK_KP_6,
  '7': XK.XK_KP_7,
  '8': XK.XK_KP_8,
  '9': XK.XK_KP_9,
  '+': XK.XK_KP_Add,
  '-': XK.XK_KP_Subtract,
  '*': XK.XK_KP_Multiply,
  '/': XK.XK_KP_Divide,
  '=': XK.XK_KP_Equal,
  Enter: XK.XK_KP_Enter,
};

/** Numpad keys with NumLock off, or named numpad keys (by `key`). */
const NUMPAD_NAMED: Readonly<Record<string, number>> = {
  Home: XK.XK_KP_Home,
  End: XK.XK_KP_End,
  PageUp: XK.XK_KP_Page_Up,
  PageDown: XK.XK_KP_Page_Down,
  ArrowLeft: XK.XK_KP_Left,
  ArrowUp: XK.XK_KP_Up,
  ArrowRight: XK.XK_KP_Right,
  ArrowDown: XK.XK_KP_Down,
  Insert: XK.XK_KP_Insert,
  Delete: XK.XK_KP_Delete,
  Clear: XK.XK_KP_Begin,
};

/** US-layout characters [unshifted, shifted] by physical key, for events whose `key` is unusable. */
const US_LAYOUT: Readonly<Record<string, readonly [string, string]>> = {
  Backquote: ['`', '~'],
  Digit1: ['1', '!'],
  Digit2: ['2', '@'],
  Digit3: ['3', '#'],
  Digit4: ['4', '$'],
  Digit5: ['5', '%'],
  Digit6: ['6', '^'],
  Digit7: ['7', '&'],
  Digit8: ['8', '*'],
  Digit9: ['9', '('],
  Digit0: ['0', ')'],
  Minus: ['-', '_'],
  Equal: ['=', '+'],
  BracketLeft: ['[', '{'],
  BracketRight: [']', '}'],
  Backslash: ['\\', '|'],
  IntlBackslash: ['\\', '|'],
  Semicolon: [';', ':'],
  Quote: ["'", '"'],
  Comma: [',', '<'],
  Period: ['.', '>'],
  Slash: ['/', '?'],
  Space: [' ', ' '],
};

function usLayoutCharacter(code: string, shift: boolean): string | undefined {
  const letter = /^Key([A-Z])$/.exec(code);
  if (letter) return shift ? letter[1] : letter[1].toLowerCase();
  const pair = US_LAYOUT[code];
  return pair ? pair[shift ? 1 : 0] : undefined;
}

/** The single character `key` stands for, or undefined for named keys and control characters. */
function printableCharacter(key: string): string | undefined {
  const chars = Array.from(key.normalize('NFC'));
  if (chars.length !== 1) return undefined;
  return keysymForCharacter(chars[0]) === 0 ? undefined : chars[0];
}

function isNumpad(event: KeyEventLike): boolean {
  return event.location === LOCATION_NUMPAD || event.code.startsWith('Numpad');
}

function isRightSide(event: KeyEventLike): boolean {
  if (event.location === LOCATION_RIGHT) return true;
  return event.location === 0 && event.code.endsWith('Right');
}

function keysymFor(event: KeyEventLike): number | undefined {
  const { key, code } = event;
  if (key === 'Dead') return undefined;

  if (isNumpad(event)) {
    const kp = NUMPAD_CHARS[key] ?? NUMPAD_NAMED[key];
    if (kp !== undefined) return kp;
    // The decimal key types '.' or ',' depending on the locale; the separator key is NumpadComma.
    if (code === 'NumpadDecimal' && (key === '.' || key === ',')) return XK.XK_KP_Decimal;
    if (code === 'NumpadComma') return XK.XK_KP_Separator;
  }

  const sided = SIDED[key];
  if (sided) return sided[isRightSide(event) ? 1 : 0];

  const named = NAMED[key];
  if (named !== undefined) return named;

  const fn = /^F([1-9]|1\d|2[0-4])$/.exec(key);
  if (fn) return XK.functionKeysym(Number(fn[1]));

  const ch = printableCharacter(key);
  if (ch !== undefined) return keysymForCharacter(ch);

  // Ctrl+letter may report a control character, and some platforms report 'Unidentified':
  // fall back to what the physical key types on a US layout. Other named keys ('Process', media keys)
  // send nothing.
  if (!isUnusableKey(key)) return undefined;
  const us = usLayoutCharacter(code, event.shiftKey);
  return us === undefined ? undefined : keysymForCharacter(us);
}

function isUnusableKey(key: string): boolean {
  if (key === 'Unidentified' || key === '') return true;
  const cp = key.length === 1 ? key.charCodeAt(0) : -1;
  return (cp >= 0 && cp < 0x20) || cp === 0x7f;
}

/**
 * What to send for a keydown or keyup: the keysym and the XT scancode of the physical key (0 when the
 * code is unknown). Undefined when nothing should be sent (dead keys, IME 'Process', unknown keys).
 * AltGr arrives as key 'AltGraph' (ISO_Level3_Shift) and the characters it types as themselves.
 */
export function translateKey(event: KeyEventLike): TranslatedKey | undefined {
  const keysym = keysymFor(event);
  if (keysym === undefined) return undefined;
  return { keysym, scancode: xtScancodeForCode(event.code) };
}

/** Keysyms of keys held as modifiers (lock keys excluded), e.g. to release them all when focus is lost. */
export const MODIFIER_KEYSYMS: ReadonlySet<number> = new Set([
  XK.XK_Shift_L,
  XK.XK_Shift_R,
  XK.XK_Control_L,
  XK.XK_Control_R,
  XK.XK_Meta_L,
  XK.XK_Meta_R,
  XK.XK_Alt_L,
  XK.XK_Alt_R,
  XK.XK_Super_L,
  XK.XK_Super_R,
  XK.XK_Hyper_L,
  XK.XK_Hyper_R,
  XK.XK_ISO_Level3_Shift,
  XK.XK_Mode_switch,
]);

const NAMES = new Map<number, string>();
for (const [name, value] of Object.entries(XK)) {
  if (typeof value === 'number' && name.startsWith('XK_') && !NAMES.has(value))
    NAMES.set(value, name.slice(3));
}

/** Readable name of a keysym for logs: 'Return', 'a', 'U+1F600'. */
export function keysymName(keysym: number): string {
  const known = NAMES.get(keysym);
  if (known !== undefined) return known;
  if ((keysym >= 0x20 && keysym <= 0x7e) || (keysym >= 0xa0 && keysym <= 0xff)) {
    return String.fromCodePoint(keysym);
  }
  if ((keysym & 0xff000000) === XK.UNICODE_KEYSYM_FLAG) {
    const cp = keysym & 0x00ffffff;
    return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return `0x${keysym.toString(16)}`;
}
