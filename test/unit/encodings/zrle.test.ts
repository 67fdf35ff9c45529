import { describe, expect, it } from 'vitest';
import { MAX_ZRLE_LENGTH, ZrleDecoder } from '../../../main/rfb/encodings/zrle.ts';
import { LEVEL_FORMATS, type PixelFormat } from '../../../main/rfb/pixel-format.ts';
import { RfbError } from '../../../shared/rfb-error.ts';
import {
  Bytes,
  DecoderHarness,
  formatHarness,
  mapEntry,
  ServerDeflater,
  trueColour,
} from '../../support/decode-harness.ts';

// ---------------------------------------------------------------------------------------------
// Pixel values and what they mean, worked out from the spec independently of PixelConverter.

const rgba = (r: number, g: number, b: number) => (r | (g << 8) | (b << 16) | 0xff000000) >>> 0;

const channels = (f: PixelFormat): [number, number][] => [
  [f.redMax, f.redShift],
  [f.greenMax, f.greenShift],
  [f.blueMax, f.blueShift],
];

/** The RGBA word a pixel value stands for. */
function expectedRgba(f: PixelFormat, v: number): number {
  if (!f.trueColour) return rgba(...mapEntry(v));
  const [r, g, b] = channels(f).map(([max, shift]) => Math.round((((v >>> shift) & max) * 255) / max));
  return rgba(r, g, b);
}

function randomValue(f: PixelFormat, rnd: (n: number) => number): number {
  if (!f.trueColour) return rnd(256);
  let v = 0;
  for (const [max, shift] of channels(f)) v += rnd(max + 1) * 2 ** shift;
  return v;
}

/** A CPIXEL (RFC 6143 §7.7.5): a PIXEL, or its 3 significant bytes for 32 bpp depth ≤ 24 true colour. */
function cpixel(f: PixelFormat, v: number): number[] {
  let size = f.bitsPerPixel / 8;
  if (f.trueColour && f.bitsPerPixel === 32 && f.depth <= 24) {
    const used = channels(f).reduce((sum, [max, shift]) => sum + max * 2 ** shift, 0);
    if (used < 2 ** 24) size = 3;
    else if (used % 256 === 0) {
      size = 3;
      v = Math.floor(v / 256);
    }
  }
  const littleEndian: number[] = [];
  for (let i = 0; i < size; i++) littleEndian.push(Math.floor(v / 2 ** (8 * i)) & 0xff);
  return f.bigEndian ? littleEndian.reverse() : littleEndian;
}

interface FormatCase {
  name: string;
  format: PixelFormat;
  bytesPerCPixel: number;
}

const FORMATS: FormatCase[] = [
  {
    name: '32 bpp little-endian RGBX (3-byte CPIXEL, low bytes)',
    format: LEVEL_FORMATS.full,
    bytesPerCPixel: 3,
  },
  {
    name: '32 bpp little-endian BGRX (3-byte CPIXEL, low bytes)',
    format: trueColour(32, false, [255, 255, 255], [16, 8, 0]),
    bytesPerCPixel: 3,
  },
  {
    name: '32 bpp little-endian xRGB shifted up (3-byte CPIXEL, high bytes)',
    format: trueColour(32, false, [255, 255, 255], [8, 16, 24]),
    bytesPerCPixel: 3,
  },
  {
    name: '32 bpp big-endian (3-byte CPIXEL, low bytes)',
    format: trueColour(32, true, [255, 255, 255], [16, 8, 0]),
    bytesPerCPixel: 3,
  },
  {
    name: '32 bpp big-endian shifted up (3-byte CPIXEL, high bytes)',
    format: trueColour(32, true, [255, 255, 255], [24, 16, 8]),
    bytesPerCPixel: 3,
  },
  {
    name: '32 bpp with colour in all four bytes (4-byte CPIXEL)',
    format: trueColour(32, false, [255, 255, 255], [0, 8, 24]),
    bytesPerCPixel: 4,
  },
  { name: '16 bpp little-endian rgb565', format: LEVEL_FORMATS.rgb565, bytesPerCPixel: 2 },
  {
    name: '16 bpp big-endian rgb565',
    format: { ...LEVEL_FORMATS.rgb565, bigEndian: true },
    bytesPerCPixel: 2,
  },
  { name: '8 bpp rgb332', format: LEVEL_FORMATS.rgb332, bytesPerCPixel: 1 },
  { name: '8 bpp colour map', format: LEVEL_FORMATS.pal8, bytesPerCPixel: 1 },
];
const FULL = LEVEL_FORMATS.full;

function prng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.floor((s / 2 ** 32) * n);
  };
}

// ---------------------------------------------------------------------------------------------
// Writing tiles (RFC 6143 §7.7.5, §7.7.6), from pixel values.

type Kind = 'raw' | 'solid' | 'packed' | 'plain' | 'prle';

function runLength(b: Bytes, n: number): void {
  for (n -= 1; n >= 255; n -= 255) b.u8(255);
  b.u8(n);
}

function runs(px: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const v of px) {
    const last = out[out.length - 1];
    if (last && last[0] === v) last[1]++;
    else out.push([v, 1]);
  }
  return out;
}

/** Writes one tile of `px` (rows of `tw` values); palette kinds use `palette`, which must hold every value. */
function writeTile(
  b: Bytes,
  f: PixelFormat,
  kind: Kind,
  px: number[],
  tw: number,
  palette: number[] = [],
): void {
  const cp = (v: number) => b.raw(cpixel(f, v));
  switch (kind) {
    case 'raw':
      b.u8(0);
      for (const v of px) cp(v);
      return;
    case 'solid':
      b.u8(1);
      cp(px[0]);
      return;
    case 'packed': {
      b.u8(palette.length);
      for (const v of palette) cp(v);
      const bits = palette.length <= 2 ? 1 : palette.length <= 4 ? 2 : 4;
      for (let y = 0; y < px.length / tw; y++) {
        let acc = 0;
        let used = 0;
        for (let x = 0; x < tw; x++) {
          acc = (acc << bits) | palette.indexOf(px[y * tw + x]);
          used += bits;
          if (used === 8) {
            b.u8(acc);
            acc = 0;
            used = 0;
          }
        }
        if (used > 0) b.u8(acc << (8 - used));
      }
      return;
    }
    case 'plain':
      b.u8(128);
      for (const [v, n] of runs(px)) {
        cp(v);
        runLength(b, n);
      }
      return;
    case 'prle':
      b.u8(128 + palette.length);
      for (const v of palette) cp(v);
      for (const [v, n] of runs(px)) {
        const i = palette.indexOf(v);
        if (n === 1) b.u8(i);
        else {
          b.u8(i | 128);
          runLength(b, n);
        }
      }
  }
}

const TILE = 64;

/**
 * Random tiles cycling through `kinds`; returns the uncompressed tile bytes and the pixel
 * values. Palette tiles draw from 2–16 colours (packed) or up to 127 (palette RLE) in runs.
 */
function randomTiles(f: PixelFormat, w: number, h: number, kinds: Kind[], seed: number) {
  const rnd = prng(seed);
  const values = new Array<number>(w * h);
  const b = new Bytes();
  let k = 0;
  const packedSizes = [16, 3, 2, 5, 4, 9];
  let packed = 0;
  for (let ty = 0; ty < h; ty += TILE) {
    for (let tx = 0; tx < w; tx += TILE) {
      const tw = Math.min(TILE, w - tx);
      const th = Math.min(TILE, h - ty);
      const kind = kinds[k++ % kinds.length];
      const size = kind === 'packed' ? packedSizes[packed++ % packedSizes.length] : 2 + rnd(126);
      const set = new Set<number>();
      while (set.size < size) set.add(randomValue(f, rnd));
      const palette = [...set];
      let px: number[] = [];
      if (kind === 'solid') px = new Array<number>(tw * th).fill(randomValue(f, rnd));
      else if (kind === 'raw') for (let i = 0; i < tw * th; i++) px.push(randomValue(f, rnd));
      else {
        while (px.length < tw * th) {
          const v = palette[rnd(palette.length)];
          const len = rnd(4) === 0 ? 1 + rnd(700) : 1 + rnd(2);
          for (let i = 0; i < len && px.length < tw * th; i++) px.push(v);
        }
      }
      writeTile(b, f, kind, px, tw, palette);
      for (let y = 0; y < th; y++)
        for (let x = 0; x < tw; x++) values[(ty + y) * w + tx + x] = px[y * tw + x];
    }
  }
  return { tiles: b.build(), values };
}

function expectRect(
  h: DecoderHarness,
  f: PixelFormat,
  x0: number,
  y0: number,
  w: number,
  values: number[],
): void {
  const rows = values.length / w;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < w; x++) {
      const want = expectedRgba(f, values[y * w + x]);
      const got = h.pixel(x0 + x, y0 + y);
      if (got !== want) {
        throw new Error(`pixel ${x},${y} is ${got.toString(16)}, expected ${want.toString(16)}`);
      }
    }
  }
}

/** The first index where two byte arrays differ, or -1 (deep equality on large arrays is slow). */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

const rect = (x: number, y: number, width: number, height: number) => ({ x, y, width, height, encoding: 16 });

function decodeError(fn: () => void): RfbError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RfbError);
    expect((e as RfbError).kind).toBe('protocol');
    return e as RfbError;
  }
  throw new Error('expected a protocol error');
}

const ALL_KINDS: Kind[] = ['raw', 'solid', 'packed', 'plain', 'prle'];

// ---------------------------------------------------------------------------------------------

describe('ZrleDecoder', () => {
  describe.each(FORMATS)('$name', (fc) => {
    const f = fc.format;

    it('uses CPIXELs of the expected size', () => {
      expect(cpixel(f, randomValue(f, prng(1))).length).toBe(fc.bytesPerCPixel);
      expect(formatHarness(f, 1, 1).converter.bytesPerCPixel).toBe(fc.bytesPerCPixel);
    });

    it('decodes a 65x17 rectangle at 3,5 (a 1-pixel-wide edge tile)', () => {
      const { tiles, values } = randomTiles(f, 65, 17, ['prle', 'packed'], 5);
      const h = formatHarness(f, 70, 30);
      h.decode(new ZrleDecoder(), rect(3, 5, 65, 17), new ServerDeflater().message(tiles));
      expectRect(h, f, 3, 5, 65, values);
      expect(h.pixel(2, 5)).toBe(0);
      expect(h.pixel(68, 21)).toBe(0);
      expect(h.pixel(3, 22)).toBe(0);
    });

    it('decodes every subencoding in consecutive rectangles on one stream, whole or byte by byte', () => {
      const first = randomTiles(f, 130, 66, ALL_KINDS, 11);
      const second = randomTiles(f, 129, 65, [...ALL_KINDS].reverse(), 12);
      const writer = new ServerDeflater();
      const m1 = writer.message(first.tiles);
      const m2 = writer.message(second.tiles);
      const whole = formatHarness(f, 160, 140);
      const decoder = new ZrleDecoder();
      whole.decode(decoder, rect(0, 0, 130, 66), m1);
      whole.decode(decoder, rect(10, 70, 129, 65), m2);
      expectRect(whole, f, 0, 0, 130, first.values);
      expectRect(whole, f, 10, 70, 129, second.values);
      const bytewise = formatHarness(f, 160, 140);
      const decoder2 = new ZrleDecoder();
      bytewise.decode(decoder2, rect(0, 0, 130, 66), m1, 1);
      bytewise.decode(decoder2, rect(10, 70, 129, 65), m2, 1);
      expect(firstDifference(bytewise.fb.data, whole.fb.data)).toBe(-1);
    });
  });

  describe('hand-written tiles (32 bpp RGBX, CPIXEL r g b)', () => {
    const R = rgba(255, 0, 0);
    const G = rgba(0, 255, 0);
    const B = rgba(0, 0, 255);

    function decodeRect(w: number, h: number, tiles: Bytes) {
      const hs = new DecoderHarness(FULL, w, h);
      hs.decode(new ZrleDecoder(), rect(0, 0, w, h), new ServerDeflater().message(tiles.build()));
      return hs;
    }
    const row = (hs: DecoderHarness, y: number, w: number) =>
      Array.from({ length: w }, (_, x) => hs.pixel(x, y));

    it('plain RLE with runs longer than 255 and 510 ([255, 255, 89] is 600)', () => {
      // One 64x64 tile: 1 red, 600 green, 3495 blue.
      const tiles = new Bytes()
        .u8(128, 255, 0, 0, 0)
        .u8(0, 255, 0, 255, 255, 89)
        .u8(0, 0, 255, ...new Array(13).fill(255), 179);
      const hs = decodeRect(64, 64, tiles);
      expect(hs.pixel(0, 0)).toBe(R);
      expect(hs.pixel(1, 0)).toBe(G);
      expect(hs.pixel(600 % 64, Math.floor(600 / 64))).toBe(G);
      expect(hs.pixel(601 % 64, Math.floor(601 / 64))).toBe(B);
      expect(hs.pixel(63, 63)).toBe(B);
    });

    it('palette RLE with a run of 511 ([255, 255, 0]), a single pixel and a run of 3584', () => {
      const tiles = new Bytes().u8(130, 255, 0, 0, 0, 255, 0).u8(0x81, 255, 255, 0).u8(0);
      tiles.u8(0x80, ...new Array(14).fill(255), 13);
      const hs = decodeRect(64, 64, tiles);
      expect(hs.pixel(0, 0)).toBe(G);
      expect(hs.pixel(510 % 64, Math.floor(510 / 64))).toBe(G);
      expect(hs.pixel(511 % 64, Math.floor(511 / 64))).toBe(R);
      expect(hs.pixel(63, 63)).toBe(R);
      expect(hs.ops.map((o) => o.kind)).toEqual(['pixels']);
    });

    it('packed palettes in a 70-wide rectangle: 64-pixel rows and a 6-pixel edge tile', () => {
      const tiles = new Bytes().u8(2, 255, 0, 0, 0, 255, 0);
      for (let y = 0; y < 2; y++) tiles.u8(0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa);
      // Edge tile 6x2, 4 bits per pixel: indices 0..5 then 5..0.
      tiles.u8(6, 255, 0, 0, 0, 255, 0, 0, 0, 255, 1, 1, 1, 2, 2, 2, 3, 3, 3);
      tiles.u8(0x01, 0x23, 0x45, 0x54, 0x32, 0x10);
      const hs = decodeRect(70, 2, tiles);
      expect(hs.pixel(0, 0)).toBe(G);
      expect(hs.pixel(1, 1)).toBe(R);
      expect(hs.pixel(63, 1)).toBe(R);
      expect(row(hs, 0, 70).slice(64)).toEqual([R, G, B, rgba(1, 1, 1), rgba(2, 2, 2), rgba(3, 3, 3)]);
      expect(row(hs, 1, 70).slice(64)).toEqual([rgba(3, 3, 3), rgba(2, 2, 2), rgba(1, 1, 1), B, G, R]);
    });

    it('packed palette, 4 bits per pixel (16 colours), an odd-width edge tile', () => {
      const tiles = new Bytes().u8(1, 9, 9, 9).u8(16);
      for (let i = 0; i < 16; i++) tiles.u8(i * 16, 0, 255 - i);
      tiles.u8(0xf0, 0x70).u8(0x18, 0xe0);
      const hs = decodeRect(67, 2, tiles);
      const c = (i: number) => rgba(i * 16, 0, 255 - i);
      expect(row(hs, 0, 67).slice(63)).toEqual([rgba(9, 9, 9), c(15), c(0), c(7)]);
      expect(row(hs, 1, 67).slice(63)).toEqual([rgba(9, 9, 9), c(1), c(8), c(14)]);
    });

    it('a rectangle of solid tiles of one colour becomes one fill', () => {
      const tiles = new Bytes();
      for (let i = 0; i < 6; i++) tiles.u8(1, 10, 20, 30);
      const hs = decodeRect(130, 70, tiles);
      expect(hs.ops).toEqual([
        { kind: 'fill', x: 0, y: 0, width: 130, height: 70, colour: rgba(10, 20, 30) },
      ]);
    });

    it('paints the solid tiles skipped before the first tile of another colour', () => {
      const tiles = new Bytes();
      for (let i = 0; i < 4; i++) tiles.u8(1, 10, 20, 30);
      tiles.u8(130, 255, 0, 0, 0, 0, 255, 0x80, 0, 0x81, 255, 127); // 64x6: 1 red, 383 blue
      tiles.u8(1, 10, 20, 30);
      const hs = decodeRect(130, 70, tiles);
      const C = rgba(10, 20, 30);
      const want: number[][] = [];
      for (let y = 0; y < 70; y++) {
        want.push(
          Array.from({ length: 130 }, (_, x) =>
            y >= 64 && x >= 64 && x < 128 ? (x === 64 && y === 64 ? R : B) : C,
          ),
        );
      }
      expect(Array.from({ length: 70 }, (_, y) => row(hs, y, 130))).toEqual(want);
    });

    it('paints a whole row of skipped solid tiles when the next row starts with another colour', () => {
      const tiles = new Bytes().u8(1, 10, 20, 30, 1, 10, 20, 30).u8(1, 255, 0, 0).u8(1, 10, 20, 30);
      const hs = decodeRect(65, 66, tiles);
      const C = rgba(10, 20, 30);
      const want = Array.from({ length: 66 }, (_, y) =>
        Array.from({ length: 65 }, (_, x) => (y >= 64 && x < 64 ? R : C)),
      );
      expect(Array.from({ length: 66 }, (_, y) => row(hs, y, 65))).toEqual(want);
      expect(hs.ops.map((o) => o.kind)).toEqual(['pixels']);
    });

    it('an empty rectangle still reads its data, keeping the stream in step', () => {
      const writer = new ServerDeflater();
      const hs = new DecoderHarness(FULL, 4, 4);
      const decoder = new ZrleDecoder();
      hs.decode(decoder, rect(0, 0, 0, 3), writer.message(new Uint8Array(0)));
      hs.decode(decoder, rect(1, 1, 1, 1), writer.message(new Bytes().u8(1, 0, 0, 255).build()));
      expect(hs.ops).toEqual([{ kind: 'fill', x: 1, y: 1, width: 1, height: 1, colour: B }]);
    });
  });

  describe('malformed data', () => {
    const attempt = (w: number, h: number, message: Uint8Array, chunk?: number) =>
      decodeError(() =>
        new DecoderHarness(FULL, 200, 100).decode(new ZrleDecoder(), rect(0, 0, w, h), message, chunk),
      );
    const compressed = (tiles: Bytes) => new ServerDeflater().message(tiles.build());

    it.each([17, 126, 127, 129])('rejects subencoding %i', (sub) => {
      const tiles = new Bytes().u8(2, 1, 1, 1, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0).u8(sub, 0, 0);
      expect(attempt(65, 1, compressed(tiles)).message).toMatch(
        `ZRLE rectangle 65x1 at 0,0: the tile at 64,0 has subencoding ${sub}, which is not defined`,
      );
    });

    it('rejects a palette index past the palette and a run past the tile', () => {
      expect(attempt(2, 1, compressed(new Bytes().u8(131, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 0))).message).toMatch(
        /palette index 3 outside its 3-colour palette/,
      );
      expect(
        attempt(
          64,
          64,
          compressed(
            new Bytes().u8(
              128,
              1,
              1,
              1,
              255,
              255,
              255,
              255,
              255,
              255,
              255,
              255,
              255,
              255,
              255,
              255,
              255,
              255,
              255,
              255,
              16,
            ),
          ),
        ).message,
      ).toMatch(/run longer than the 4096 pixels left in its 64x64 tile/);
    });

    it('rejects data that ends inside a tile', () => {
      expect(attempt(4, 1, compressed(new Bytes().u8(0, 1, 2, 3, 4, 5, 6))).message).toMatch(
        /the tile at 0,0 ends inside it/,
      );
    });

    it('rejects data left after the last tile', () => {
      expect(attempt(4, 1, compressed(new Bytes().u8(1, 1, 2, 3, 0, 0))).message).toMatch(
        /has 2 bytes of data after its last tile/,
      );
    });

    it('rejects data that inflates past what the rectangle can hold', () => {
      // A 1x1 rectangle with 3-byte CPIXELs holds at most 1 + 127 * 3 + 4 bytes.
      expect(attempt(1, 1, compressed(new Bytes().raw(new Uint8Array(2000)))).message).toMatch(
        /zrle data inflates to more than the 386 bytes/,
      );
    });

    it('rejects corrupt zlib data', () => {
      const message = new Bytes().u32(6).u8(0x78, 0x9c, 0xff, 0xff, 0xff, 0xff).build();
      expect(attempt(1, 1, message).message).toMatch(/zrle data is corrupt/);
    });

    it(`rejects a length above ${MAX_ZRLE_LENGTH} before waiting for it`, () => {
      const h = new DecoderHarness(FULL, 4, 4);
      const message = new Bytes().u32(MAX_ZRLE_LENGTH + 1).build();
      expect(decodeError(() => h.decode(new ZrleDecoder(), rect(0, 0, 1, 1), message)).message).toMatch(
        /claims 67108865 bytes of compressed data/,
      );
    });
  });
});
