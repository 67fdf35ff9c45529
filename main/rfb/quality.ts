import type { PictureQuality } from '../../shared/picture-quality.ts';
import { DEFAULT_ENCODINGS, Encoding } from './constants.ts';

/** Tight compression level pseudo-encodings -256 (level 0) … -247 (level 9), rfbproto §7.8. */
export function compressionLevel(level: number): number {
  return -256 + Math.max(0, Math.min(9, level));
}

/**
 * The encoding list each picture quality asks for. Every preset is lossless for now: the
 * viewer sends no JPEG quality level, so Tight stays lossless. High favours decode speed
 * (ZRLE first, light compression); Medium and Low favour bandwidth (Tight first, more
 * compression). Auto starts from High.
 */
export function qualityEncodings(quality: PictureQuality): number[] {
  const rest = DEFAULT_ENCODINGS.filter((e) => e !== Encoding.CopyRect && e !== Encoding.Tight);
  switch (quality) {
    case 'auto':
    case 'high':
      return [...DEFAULT_ENCODINGS, compressionLevel(1)];
    case 'medium':
      return [Encoding.CopyRect, Encoding.Tight, ...rest, compressionLevel(6)];
    case 'low':
      return [Encoding.CopyRect, Encoding.Tight, ...rest, compressionLevel(9)];
  }
}

/**
 * Safe mode's encodings, for a server whose stream the viewer could not parse: the four
 * every server implements the same way (RFC 6143 §7.7), no Tight, no compression levels.
 */
export const SAFE_MODE_ENCODINGS: readonly number[] = [
  Encoding.CopyRect,
  Encoding.ZRLE,
  Encoding.Hextile,
  Encoding.Raw,
];

export const SAFE_MODE_DESCRIPTION =
  'full colour, encodings Raw, CopyRect, Hextile and ZRLE only, no automatic switching';
