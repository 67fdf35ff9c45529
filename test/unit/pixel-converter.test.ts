import { describe, expect, it } from 'vitest';
import { PixelConverter } from '../../main/rfb/pixel-converter.ts';
import { LEVEL_FORMATS, type PixelFormat } from '../../main/rfb/pixel-format.ts';
import { packRgba } from '../../shared/draw-ops.ts';

const tc = (bpp: number, depth: number, bigEndian: boolean, max: number[], shift: number[]): PixelFormat => ({
  bitsPerPixel: bpp,
  depth,
  bigEndian,
  trueColour: true,
  redMax: max[0],
  greenMax: max[1],
  blueMax: max[2],
  redShift: shift[0],
  greenShift: shift[1],
  blueShift: shift[2],
});

/** Writes a pixel value in the format's byte order. */
function wire(pf: PixelFormat, value: number): number[] {
  const n = pf.bitsPerPixel / 8;
  const bytes: number[] = [];
  for (let i = 0; i < n; i++) bytes.push((value >>> (8 * i)) & 0xff);
  return pf.bigEndian ? bytes.reverse() : bytes;
}

const value = (pf: PixelFormat, r: number, g: number, b: number) =>
  ((r << pf.redShift) | (g << pf.greenShift) | (b << pf.blueShift)) >>> 0;

const formats: [string, PixelFormat][] = [
  ['full (RGBX)', LEVEL_FORMATS.full],
  ['BGRX little-endian', tc(32, 24, false, [255, 255, 255], [16, 8, 0])],
  ['BGRX big-endian', tc(32, 24, true, [255, 255, 255], [16, 8, 0])],
  ['XRGB shifted high, big-endian', tc(32, 24, true, [255, 255, 255], [24, 16, 8])],
  ['RGB 10-bit in 32 bpp', tc(32, 30, false, [1023, 1023, 1023], [20, 10, 0])],
  ['rgb565 little-endian', LEVEL_FORMATS.rgb565],
  ['rgb565 big-endian', { ...LEVEL_FORMATS.rgb565, bigEndian: true }],
  ['rgb555 big-endian', tc(16, 15, true, [31, 31, 31], [10, 5, 0])],
  ['rgb332', LEVEL_FORMATS.rgb332],
  ['rgb222', LEVEL_FORMATS.rgb222],
  ['rgb111', LEVEL_FORMATS.rgb111],
  ['bgr233', tc(8, 8, false, [7, 7, 3], [0, 3, 6])],
];

describe('PixelConverter', () => {
  for (const [name, pf] of formats) {
    it(`${name}: every channel extreme and a middle value map to canonical RGBA`, () => {
      const px = new PixelConverter(pf);
      const samples: [number, number, number][] = [
        [0, 0, 0],
        [pf.redMax, 0, 0],
        [0, pf.greenMax, 0],
        [0, 0, pf.blueMax],
        [pf.redMax, pf.greenMax, pf.blueMax],
        [pf.redMax >> 1, pf.greenMax >> 2, pf.blueMax >> 1],
      ];
      const bytes = samples.flatMap(([r, g, b]) => wire(pf, value(pf, r, g, b)));
      const out = new Uint32Array(samples.length);
      px.convert(Uint8Array.from(bytes), 0, out, 0, samples.length);
      const expected = samples.map(([r, g, b]) =>
        packRgba(
          Math.round((r * 255) / pf.redMax),
          Math.round((g * 255) / pf.greenMax),
          Math.round((b * 255) / pf.blueMax),
        ),
      );
      expect(Array.from(out)).toEqual(expected);
      for (let i = 0; i < samples.length; i++) {
        expect(px.readPixel(Uint8Array.from(bytes), i * px.bytesPerPixel)).toBe(expected[i]);
      }
    });
  }

  it('CPIXEL is 3 bytes for 32 bpp depth 24 in the low three bytes (little-endian: first three)', () => {
    const px = new PixelConverter(tc(32, 24, false, [255, 255, 255], [16, 8, 0]));
    expect(px.bytesPerCPixel).toBe(3);
    expect(px.readCPixel(Uint8Array.from([0x30, 0x20, 0x10]), 0)).toBe(packRgba(0x10, 0x20, 0x30));
  });

  it('CPIXEL in the low three bytes of a big-endian pixel: the last three bytes on the wire', () => {
    const px = new PixelConverter(tc(32, 24, true, [255, 255, 255], [16, 8, 0]));
    expect(px.bytesPerCPixel).toBe(3);
    expect(px.readCPixel(Uint8Array.from([0x10, 0x20, 0x30]), 0)).toBe(packRgba(0x10, 0x20, 0x30));
  });

  it('CPIXEL in the high three bytes (shifts 24/16/8), little-endian and big-endian', () => {
    const le = new PixelConverter(tc(32, 24, false, [255, 255, 255], [24, 16, 8]));
    expect(le.bytesPerCPixel).toBe(3);
    expect(le.readCPixel(Uint8Array.from([0x30, 0x20, 0x10]), 0)).toBe(packRgba(0x10, 0x20, 0x30));
    const be = new PixelConverter(tc(32, 24, true, [255, 255, 255], [24, 16, 8]));
    expect(be.readCPixel(Uint8Array.from([0x10, 0x20, 0x30]), 0)).toBe(packRgba(0x10, 0x20, 0x30));
    const out = new Uint32Array(2);
    be.convertCompact(Uint8Array.from([1, 2, 3, 4, 5, 6]), 0, out, 0, 2);
    expect(Array.from(out)).toEqual([packRgba(1, 2, 3), packRgba(4, 5, 6)]);
  });

  it('CPIXEL stays 4 bytes for depth 32 or channels spanning all bytes, and equals PIXEL below 32 bpp', () => {
    expect(new PixelConverter(tc(32, 30, false, [1023, 1023, 1023], [20, 10, 0])).bytesPerCPixel).toBe(4);
    expect(new PixelConverter(tc(32, 32, false, [255, 255, 255], [16, 8, 0])).bytesPerCPixel).toBe(4);
    expect(new PixelConverter(LEVEL_FORMATS.rgb565).bytesPerCPixel).toBe(2);
  });

  it('colour maps: 8 bpp and 16 bpp big-endian indexes, 16-bit colour values scaled to 8 bits', () => {
    const pal8 = new PixelConverter(LEVEL_FORMATS.pal8);
    pal8.setColourMapEntries(3, Uint16Array.from([0xffff, 0x8080, 0x0000, 0x0101, 0x0202, 0x0303]));
    const out = new Uint32Array(3);
    pal8.convert(Uint8Array.from([3, 4, 9]), 0, out, 0, 3);
    expect(Array.from(out)).toEqual([packRgba(255, 128, 0), packRgba(1, 2, 3), packRgba(0, 0, 0)]);

    const map16 = new PixelConverter({ ...LEVEL_FORMATS.pal8, bitsPerPixel: 16, depth: 16, bigEndian: true });
    map16.setColourMapEntries(0x0102, Uint16Array.from([0xffff, 0, 0xffff]));
    expect(map16.readPixel(Uint8Array.from([0x01, 0x02]), 0)).toBe(packRgba(255, 0, 255));
  });

  it('rejects 24 bpp and channels that do not fit', () => {
    expect(() => new PixelConverter(tc(24, 24, false, [255, 255, 255], [16, 8, 0]))).toThrow(
      /24 bits per pixel/,
    );
    expect(() => new PixelConverter(tc(16, 16, false, [255, 255, 255], [16, 8, 0]))).toThrow(/does not fit/);
  });
});
