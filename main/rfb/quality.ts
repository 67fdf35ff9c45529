import type { PictureQuality } from '../../shared/picture-quality.ts';
import { DEFAULT_ENCODINGS, Encoding } from './constants.ts';

/** Tight compression level pseudo-encodings -256 (level 0) … -247 (level 9), rfbproto §7.8. */
export function compressionLevel(level: number): number {
  return -256 + Math.max(0, Math.min(9, level));
}

/** JPEG quality level pseudo-encodings -32 (level 0) … -23 (level 9), rfbproto "JPEG Quality Level Pseudo-encoding". */
export function jpegQualityLevel(level: number): number {
  return -32 + Math.max(0, Math.min(9, level));
}

/**
 * TurboVNC's JPEG fine-grained quality -512 (quality 0) … -412 (quality 100), rfbproto
 * "JPEG Fine-Grained Quality Level Pseudo-encoding".
 */
export function jpegFineQuality(quality: number): number {
  return -512 + Math.max(0, Math.min(100, quality));
}

/**
 * TurboVNC's chrominance subsampling pseudo-encodings, rfbproto "JPEG Subsampling Level
 * Pseudo-Encoding": -768 1X (none), -767 4X (4:2:0), -766 2X (4:2:2), -765 grayscale,
 * -764 8X, -763 16X.
 */
export const JpegSubsampling = {
  None: -768,
  X4: -767,
  X2: -766,
  Gray: -765,
  X8: -764,
  X16: -763,
} as const;

/**
 * The encoding list each picture quality asks for.
 * - High: lossless. No JPEG quality level is sent, so Tight stays lossless; ZRLE first for
 *   decode speed, light compression (level 1).
 * - Medium: Tight first with JPEG (quality level 7, fine quality 80, 2X chrominance
 *   subsampling), compression level 6.
 * - Low: Tight first with JPEG (quality level 2, fine quality 30, 4X subsampling),
 *   compression level 9.
 * - Auto: High for now.
 * Servers that know only the coarse levels (TigerVNC, QEMU, libvncserver) use the quality
 * level; TurboVNC-style servers use the fine quality and subsampling, which override it.
 */
export function qualityEncodings(quality: PictureQuality): number[] {
  const rest = DEFAULT_ENCODINGS.filter((e) => e !== Encoding.CopyRect && e !== Encoding.Tight);
  switch (quality) {
    case 'auto':
    case 'high':
      return [...DEFAULT_ENCODINGS, compressionLevel(1)];
    case 'medium':
      return [
        Encoding.CopyRect,
        Encoding.Tight,
        ...rest,
        jpegQualityLevel(7),
        jpegFineQuality(80),
        JpegSubsampling.X2,
        compressionLevel(6),
      ];
    case 'low':
      return [
        Encoding.CopyRect,
        Encoding.Tight,
        ...rest,
        jpegQualityLevel(2),
        jpegFineQuality(30),
        JpegSubsampling.X4,
        compressionLevel(9),
      ];
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
