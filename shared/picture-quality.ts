/**
 * Picture quality presets users pick (RealVNC's "Picture quality", TurboVNC's presets).
 * Each maps to an encoding order; JPEG levels join them with the Tight JPEG decoder.
 */
export const PICTURE_QUALITIES = ['auto', 'high', 'medium', 'low'] as const;
export type PictureQuality = (typeof PICTURE_QUALITIES)[number];

export function isPictureQuality(value: string): value is PictureQuality {
  return (PICTURE_QUALITIES as readonly string[]).includes(value);
}
