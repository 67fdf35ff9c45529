/**
 * The encodings a user may name (`--encodings`, a bookmark's override), spelled as in the
 * specification and lower-cased. Viewer and session exchange encodings as these names; the
 * engine maps them to numbers (`ENCODING_NUMBERS` in main/rfb/constants.ts).
 */
export const ENCODING_NAMES = [
  'raw',
  'copyrect',
  'rre',
  'corre',
  'hextile',
  'zlib',
  'tight',
  'tightpng',
  'trle',
  'zrle',
] as const;

export type EncodingName = (typeof ENCODING_NAMES)[number];

export function isEncodingName(name: string): name is EncodingName {
  return (ENCODING_NAMES as readonly string[]).includes(name);
}

/** `"raw, Hextile,zrle"` → `['raw', 'hextile', 'zrle']`: trimmed, lower-cased, empty items dropped. */
export function splitEncodingList(list: string): string[] {
  return list
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
}

/** The names as encoding names, or an Error naming the first one that is not. */
export function checkEncodingNames(names: readonly string[]): EncodingName[] {
  return names.map((name) => {
    if (!isEncodingName(name)) {
      throw new Error(`unknown encoding "${name}"; known: ${ENCODING_NAMES.join(', ')}`);
    }
    return name;
  });
}
