// Unicode character → X11 keysym (X11 keysymdef.h, "Unicode" section and Appendix A of the X protocol).
import { UNICODE_KEYSYM_FLAG, XK_EuroSign, XK_OE, XK_oe, XK_Ydiaeresis } from './keysyms.ts';

// Upper halves (bytes 0xA0…0xFF) of ISO 8859-2, -3 and -4. The legacy keysym of a character from
// Latin-N that is not in Latin-1 is (N - 1) * 0x100 + its byte, e.g. ł (8859-2 0xB3) = 0x1b3.
// '\0' marks bytes 8859-3 leaves undefined. A character in several sets takes the first.
const LATIN_SETS: readonly [number, string][] = [
  [
    0x100,
    ' Ą˘Ł¤ĽŚ§¨ŠŞŤŹ\u00adŽŻ°ą˛ł´ľśˇ¸šşťź˝žżŔÁÂĂÄĹĆÇČÉĘËĚÍÎĎĐŃŇÓÔŐÖ×ŘŮÚŰÜÝŢßŕáâăäĺćçčéęëěíîďđńňóôőö÷řůúűüýţ˙',
  ],
  [
    0x200,
    ' Ħ˘£¤\0Ĥ§¨İŞĞĴ\u00ad\0Ż°ħ²³´µĥ·¸ışğĵ½\0żÀÁÂ\0ÄĊĈÇÈÉÊËÌÍÎÏ\0ÑÒÓÔĠÖ×ĜÙÚÛÜŬŜßàáâ\0äċĉçèéêëìíîï\0ñòóôġö÷ĝùúûüŭŝ˙',
  ],
  [
    0x300,
    ' ĄĸŖ¤ĨĻ§¨ŠĒĢŦ\u00adŽ¯°ą˛ŗ´ĩļˇ¸šēģŧŊžŋĀÁÂÃÄÅÆĮČÉĘËĖÍÎĪĐŅŌĶÔÕÖ×ØŲÚÛÜŨŪßāáâãäåæįčéęëėíîīđņōķôõö÷øųúûüũū˙',
  ],
];

// Cyrillic keysyms 0x6c0…0x6ff follow KOI8-R order (bytes 0xC0…0xFF).
const CYRILLIC_KOI8 = 'юабцдефгхийклмнопярстужвьызшэщчъЮАБЦДЕФГХИЙКЛМНОПЯРСТУЖВЬЫЗШЭЩЧЪ';
const CYRILLIC_EXTRA: readonly [string, number][] = [
  ['ё', 0x6a3],
  ['Ё', 0x6b3],
  ['є', 0x6a4],
  ['Є', 0x6b4],
  ['і', 0x6a6],
  ['І', 0x6b6],
  ['ї', 0x6a7],
  ['Ї', 0x6b7],
  ['ґ', 0x6ad],
  ['Ґ', 0x6bd],
  ['ў', 0x6ae],
  ['Ў', 0x6be],
];

function buildLegacyTable(): Map<number, number> {
  const table = new Map<number, number>();
  for (const [base, chars] of LATIN_SETS) {
    for (let i = 0; i < chars.length; i++) {
      const cp = chars.charCodeAt(i);
      const byte = 0xa0 + i;
      // Characters also in Latin-1 keep their Latin-1 keysym.
      if (cp === 0 || cp <= 0xff || table.has(cp)) continue;
      table.set(cp, base + byte);
    }
  }
  for (let i = 0; i < CYRILLIC_KOI8.length; i++) table.set(CYRILLIC_KOI8.charCodeAt(i), 0x6c0 + i);
  for (const [ch, keysym] of CYRILLIC_EXTRA) table.set(ch.charCodeAt(0), keysym);
  table.set(0x0152, XK_OE);
  table.set(0x0153, XK_oe);
  table.set(0x0178, XK_Ydiaeresis);
  table.set(0x20ac, XK_EuroSign);
  return table;
}

const LEGACY = buildLegacyTable();

/** Keysym for a Unicode code point; 0 for control characters, surrogates and out-of-range values. */
export function keysymForCodePoint(cp: number): number {
  if (!Number.isInteger(cp) || cp < 0x20 || cp > 0x10ffff) return 0;
  if (cp <= 0x7e) return cp;
  if (cp < 0xa0) return 0; // DEL and C1 controls
  if (cp <= 0xff) return cp;
  if (cp >= 0xd800 && cp <= 0xdfff) return 0;
  return LEGACY.get(cp) ?? UNICODE_KEYSYM_FLAG | cp;
}

/**
 * Keysym for the first code point of `ch` (one character as KeyboardEvent.key gives it): Latin-1 maps to
 * itself, common Latin-2/3/4/9 and Cyrillic letters to their legacy keysyms, anything else to
 * 0x01000000 | code point. Control characters and the empty string give 0.
 */
export function keysymForCharacter(ch: string): number {
  const cp = ch.codePointAt(0);
  return cp === undefined ? 0 : keysymForCodePoint(cp);
}
