// X11 keysym values (X11 keysymdef.h; RFB KeyEvent, RFC 6143 §7.5.4). Only the keys the viewer sends.

// TTY function keys
export const XK_BackSpace = 0xff08;
export const XK_Tab = 0xff09;
export const XK_Linefeed = 0xff0a;
export const XK_Clear = 0xff0b;
export const XK_Return = 0xff0d;
export const XK_Pause = 0xff13;
export const XK_Scroll_Lock = 0xff14;
export const XK_Sys_Req = 0xff15;
export const XK_Escape = 0xff1b;
export const XK_Delete = 0xffff;

// International and multi-key character composition, Japanese and Korean keys
export const XK_Multi_key = 0xff20;
export const XK_Kanji = 0xff21;
export const XK_Muhenkan = 0xff22;
export const XK_Henkan = 0xff23;
export const XK_Hiragana = 0xff25;
export const XK_Katakana = 0xff26;
export const XK_Hiragana_Katakana = 0xff27;
export const XK_Zenkaku_Hankaku = 0xff2a;
export const XK_Eisu_toggle = 0xff30;
export const XK_Hangul = 0xff31;
export const XK_Hangul_Hanja = 0xff34;

// Cursor control and motion
export const XK_Home = 0xff50;
export const XK_Left = 0xff51;
export const XK_Up = 0xff52;
export const XK_Right = 0xff53;
export const XK_Down = 0xff54;
export const XK_Page_Up = 0xff55;
export const XK_Page_Down = 0xff56;
export const XK_End = 0xff57;
export const XK_Begin = 0xff58;

// Misc functions
export const XK_Select = 0xff60;
export const XK_Print = 0xff61;
export const XK_Execute = 0xff62;
export const XK_Insert = 0xff63;
export const XK_Undo = 0xff65;
export const XK_Redo = 0xff66;
export const XK_Menu = 0xff67;
export const XK_Find = 0xff68;
export const XK_Cancel = 0xff69;
export const XK_Help = 0xff6a;
export const XK_Break = 0xff6b;
export const XK_Mode_switch = 0xff7e;
export const XK_Num_Lock = 0xff7f;

// Keypad
export const XK_KP_Space = 0xff80;
export const XK_KP_Tab = 0xff89;
export const XK_KP_Enter = 0xff8d;
export const XK_KP_F1 = 0xff91;
export const XK_KP_F2 = 0xff92;
export const XK_KP_F3 = 0xff93;
export const XK_KP_F4 = 0xff94;
export const XK_KP_Home = 0xff95;
export const XK_KP_Left = 0xff96;
export const XK_KP_Up = 0xff97;
export const XK_KP_Right = 0xff98;
export const XK_KP_Down = 0xff99;
export const XK_KP_Page_Up = 0xff9a;
export const XK_KP_Page_Down = 0xff9b;
export const XK_KP_End = 0xff9c;
export const XK_KP_Begin = 0xff9d;
export const XK_KP_Insert = 0xff9e;
export const XK_KP_Delete = 0xff9f;
export const XK_KP_Multiply = 0xffaa;
export const XK_KP_Add = 0xffab;
export const XK_KP_Separator = 0xffac;
export const XK_KP_Subtract = 0xffad;
export const XK_KP_Decimal = 0xffae;
export const XK_KP_Divide = 0xffaf;
export const XK_KP_0 = 0xffb0;
export const XK_KP_1 = 0xffb1;
export const XK_KP_2 = 0xffb2;
export const XK_KP_3 = 0xffb3;
export const XK_KP_4 = 0xffb4;
export const XK_KP_5 = 0xffb5;
export const XK_KP_6 = 0xffb6;
export const XK_KP_7 = 0xffb7;
export const XK_KP_8 = 0xffb8;
export const XK_KP_9 = 0xffb9;
export const XK_KP_Equal = 0xffbd;

// Function keys: F1 = 0xffbe … F35 = 0xffe0, consecutive
export const XK_F1 = 0xffbe;
export const XK_F2 = 0xffbf;
export const XK_F3 = 0xffc0;
export const XK_F4 = 0xffc1;
export const XK_F5 = 0xffc2;
export const XK_F6 = 0xffc3;
export const XK_F7 = 0xffc4;
export const XK_F8 = 0xffc5;
export const XK_F9 = 0xffc6;
export const XK_F10 = 0xffc7;
export const XK_F11 = 0xffc8;
export const XK_F12 = 0xffc9;
export const XK_F13 = 0xffca;
export const XK_F14 = 0xffcb;
export const XK_F15 = 0xffcc;
export const XK_F16 = 0xffcd;
export const XK_F17 = 0xffce;
export const XK_F18 = 0xffcf;
export const XK_F19 = 0xffd0;
export const XK_F20 = 0xffd1;
export const XK_F21 = 0xffd2;
export const XK_F22 = 0xffd3;
export const XK_F23 = 0xffd4;
export const XK_F24 = 0xffd5;

/** Keysym of function key Fn, for n in 1…35. */
export function functionKeysym(n: number): number {
  return XK_F1 + n - 1;
}

// Modifiers
export const XK_Shift_L = 0xffe1;
export const XK_Shift_R = 0xffe2;
export const XK_Control_L = 0xffe3;
export const XK_Control_R = 0xffe4;
export const XK_Caps_Lock = 0xffe5;
export const XK_Shift_Lock = 0xffe6;
export const XK_Meta_L = 0xffe7;
export const XK_Meta_R = 0xffe8;
export const XK_Alt_L = 0xffe9;
export const XK_Alt_R = 0xffea;
export const XK_Super_L = 0xffeb;
export const XK_Super_R = 0xffec;
export const XK_Hyper_L = 0xffed;
export const XK_Hyper_R = 0xffee;

// ISO 9995 (AltGr is ISO_Level3_Shift on XKB servers)
export const XK_ISO_Level3_Shift = 0xfe03;
export const XK_ISO_Left_Tab = 0xfe20;

// Dead keys
export const XK_dead_grave = 0xfe50;
export const XK_dead_acute = 0xfe51;
export const XK_dead_circumflex = 0xfe52;
export const XK_dead_tilde = 0xfe53;
export const XK_dead_macron = 0xfe54;
export const XK_dead_breve = 0xfe55;
export const XK_dead_abovedot = 0xfe56;
export const XK_dead_diaeresis = 0xfe57;
export const XK_dead_abovering = 0xfe58;
export const XK_dead_doubleacute = 0xfe59;
export const XK_dead_caron = 0xfe5a;
export const XK_dead_cedilla = 0xfe5b;
export const XK_dead_ogonek = 0xfe5c;
export const XK_dead_iota = 0xfe5d;
export const XK_dead_voiced_sound = 0xfe5e;
export const XK_dead_semivoiced_sound = 0xfe5f;
export const XK_dead_belowdot = 0xfe60;

// Latin-1 symbols used by the toolbar combinations and tests
export const XK_space = 0x0020;

// Legacy keysyms past Latin-1
export const XK_EuroSign = 0x20ac;
export const XK_OE = 0x13bc;
export const XK_oe = 0x13bd;
export const XK_Ydiaeresis = 0x13be;

/** Bit that marks a keysym as a Unicode code point (keysym = 0x01000000 | code point). */
export const UNICODE_KEYSYM_FLAG = 0x01000000;
