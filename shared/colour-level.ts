/**
 * Colour levels a user can pick (RealVNC's ColourLevel names, TigerVNC's low colour formats).
 * All but `pal8` are true-colour formats; `pal8` asks for an 8-bit colour map, which the
 * server fills in (QEMU and libvncserver send a BGR233 map).
 */
export const COLOUR_LEVELS = ['full', 'rgb565', 'rgb332', 'rgb222', 'rgb111', 'pal8'] as const;
export type ColourLevel = (typeof COLOUR_LEVELS)[number];

export function isColourLevel(value: string): value is ColourLevel {
  return (COLOUR_LEVELS as readonly string[]).includes(value);
}

/** What each colour level is called where people read it. */
export const COLOUR_LEVEL_NAMES: Record<ColourLevel, string> = {
  full: 'Full colour',
  rgb565: '65,536 colours',
  rgb332: '256 colours',
  rgb222: '64 colours',
  rgb111: '8 colours',
  pal8: '256-colour palette',
};

/** The technical name of each colour level (the `--color-level` value) and its pixel format, as a hint. */
export const COLOUR_LEVEL_FORMATS: Record<ColourLevel, string> = {
  full: 'full: 32 bits per pixel, true colour',
  rgb565: 'rgb565: 16 bits per pixel, true colour',
  rgb332: 'rgb332: 8 bits per pixel, true colour',
  rgb222: 'rgb222: 8 bits per pixel, true colour',
  rgb111: 'rgb111: 8 bits per pixel, true colour',
  pal8: 'pal8: 8 bits per pixel, a colour map the server fills in',
};
