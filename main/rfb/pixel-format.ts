import type { ColourLevel } from '../../shared/colour-level.ts';
import { protocolError } from '../../shared/rfb-error.ts';

/** PIXEL_FORMAT, RFC 6143 §7.4. */
export interface PixelFormat {
  bitsPerPixel: number;
  depth: number;
  bigEndian: boolean;
  trueColour: boolean;
  redMax: number;
  greenMax: number;
  blueMax: number;
  redShift: number;
  greenShift: number;
  blueShift: number;
}

const trueColour = (
  bitsPerPixel: number,
  depth: number,
  [redMax, greenMax, blueMax]: [number, number, number],
  [redShift, greenShift, blueShift]: [number, number, number],
): PixelFormat => ({
  bitsPerPixel,
  depth,
  bigEndian: false,
  trueColour: true,
  redMax,
  greenMax,
  blueMax,
  redShift,
  greenShift,
  blueShift,
});

/** The pixel format the client asks for at each colour level. `full` puts bytes on the wire in RGBX order. */
export const LEVEL_FORMATS: Record<ColourLevel, PixelFormat> = {
  full: trueColour(32, 24, [255, 255, 255], [0, 8, 16]),
  rgb565: trueColour(16, 16, [31, 63, 31], [11, 5, 0]),
  rgb332: trueColour(8, 8, [7, 7, 3], [5, 2, 0]),
  rgb222: trueColour(8, 6, [3, 3, 3], [4, 2, 0]),
  rgb111: trueColour(8, 3, [1, 1, 1], [2, 1, 0]),
  pal8: {
    bitsPerPixel: 8,
    depth: 8,
    bigEndian: false,
    trueColour: false,
    redMax: 0,
    greenMax: 0,
    blueMax: 0,
    redShift: 0,
    greenShift: 0,
    blueShift: 0,
  },
};

export const PIXEL_FORMAT_LENGTH = 16;

export function readPixelFormat(b: Uint8Array, off: number): PixelFormat {
  return {
    bitsPerPixel: b[off],
    depth: b[off + 1],
    bigEndian: b[off + 2] !== 0,
    trueColour: b[off + 3] !== 0,
    redMax: (b[off + 4] << 8) | b[off + 5],
    greenMax: (b[off + 6] << 8) | b[off + 7],
    blueMax: (b[off + 8] << 8) | b[off + 9],
    redShift: b[off + 10],
    greenShift: b[off + 11],
    blueShift: b[off + 12],
  };
}

export function writePixelFormat(pf: PixelFormat, out: Uint8Array, off: number): void {
  out[off] = pf.bitsPerPixel;
  out[off + 1] = pf.depth;
  out[off + 2] = pf.bigEndian ? 1 : 0;
  out[off + 3] = pf.trueColour ? 1 : 0;
  out[off + 4] = pf.redMax >> 8;
  out[off + 5] = pf.redMax & 0xff;
  out[off + 6] = pf.greenMax >> 8;
  out[off + 7] = pf.greenMax & 0xff;
  out[off + 8] = pf.blueMax >> 8;
  out[off + 9] = pf.blueMax & 0xff;
  out[off + 10] = pf.redShift;
  out[off + 11] = pf.greenShift;
  out[off + 12] = pf.blueShift;
  out[off + 13] = 0;
  out[off + 14] = 0;
  out[off + 15] = 0;
}

/** Throws a protocol error naming what is wrong with a pixel format we cannot decode. */
export function checkPixelFormat(pf: PixelFormat): void {
  if (pf.bitsPerPixel !== 8 && pf.bitsPerPixel !== 16 && pf.bitsPerPixel !== 32) {
    throw protocolError(
      `unsupported pixel format: ${pf.bitsPerPixel} bits per pixel (RFB allows 8, 16 or 32)`,
    );
  }
  if (!pf.trueColour) return;
  const channels: [string, number, number][] = [
    ['red', pf.redMax, pf.redShift],
    ['green', pf.greenMax, pf.greenShift],
    ['blue', pf.blueMax, pf.blueShift],
  ];
  for (const [name, max, shift] of channels) {
    if (shift >= pf.bitsPerPixel || max * 2 ** shift >= 2 ** pf.bitsPerPixel) {
      throw protocolError(
        `unusable pixel format: the ${name} channel (max ${max}, shift ${shift}) does not fit in ${pf.bitsPerPixel} bits`,
      );
    }
  }
}

export function samePixelFormat(a: PixelFormat, b: PixelFormat): boolean {
  if (a.bitsPerPixel !== b.bitsPerPixel || a.trueColour !== b.trueColour) return false;
  if (a.bitsPerPixel > 8 && a.bigEndian !== b.bigEndian) return false;
  if (!a.trueColour) return true;
  return (
    a.redMax === b.redMax &&
    a.greenMax === b.greenMax &&
    a.blueMax === b.blueMax &&
    a.redShift === b.redShift &&
    a.greenShift === b.greenShift &&
    a.blueShift === b.blueShift
  );
}

export function describePixelFormat(pf: PixelFormat): string {
  if (!pf.trueColour) return `${pf.bitsPerPixel} bpp colour map`;
  const order = pf.bitsPerPixel > 8 ? (pf.bigEndian ? ' big-endian' : ' little-endian') : '';
  return `${pf.bitsPerPixel} bpp depth ${pf.depth}${order} true colour (max ${pf.redMax}/${pf.greenMax}/${pf.blueMax}, shift ${pf.redShift}/${pf.greenShift}/${pf.blueShift})`;
}
