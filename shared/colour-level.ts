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
