import { describe, expect, it } from 'vitest';
import { TrleDecoder } from '../../../main/rfb/encodings/trle.ts';
import { LEVEL_FORMATS, type PixelFormat } from '../../../main/rfb/pixel-format.ts';
import { RfbError } from '../../../shared/rfb-error.ts';
import { Bytes, DecoderHarness, formatHarness, mapEntry, trueColour } from '../../support/decode-harness.ts';

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
// Writing tiles (RFC 6143 §7.7.5), from pixel values.

type Kind = 'raw' | 'solid' | 'packed' | 'packed-reuse' | 'plain' | 'prle' | 'prle-reuse';

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
    case 'packed':
    case 'packed-reuse': {
      if (kind === 'packed') {
        b.u8(palette.length);
        for (const v of palette) cp(v);
      } else b.u8(127);
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
    case 'prle-reuse':
      if (kind === 'prle') {
        b.u8(128 + palette.length);
        for (const v of palette) cp(v);
      } else b.u8(129);
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

const TILE = 16;

/**
 * A rectangle of random tiles cycling through `kinds`; returns the wire bytes and the pixel
 * values. Palette tiles draw from 2–16 colours (packed) or up to 40 (palette RLE) in runs.
 */
function randomRect(f: PixelFormat, w: number, h: number, kinds: Kind[], seed: number) {
  const rnd = prng(seed);
  const values = new Array<number>(w * h);
  const b = new Bytes();
  let palette: number[] = [];
  let k = 0;
  const packedSizes = [16, 3, 2, 5, 4, 7];
  let packed = 0;
  for (let ty = 0; ty < h; ty += TILE) {
    for (let tx = 0; tx < w; tx += TILE) {
      const tw = Math.min(TILE, w - tx);
      const th = Math.min(TILE, h - ty);
      const kind = kinds[k++ % kinds.length];
      let colours = palette;
      if (kind === 'packed' || kind === 'prle' || kind === 'plain') {
        const size = kind === 'packed' ? packedSizes[packed++ % packedSizes.length] : 2 + rnd(39);
        const set = new Set<number>();
        while (set.size < size) set.add(randomValue(f, rnd));
        colours = [...set];
        if (kind !== 'plain') palette = colours;
      }
      let px: number[] = [];
      if (kind === 'solid') px = new Array<number>(tw * th).fill(randomValue(f, rnd));
      else if (kind === 'raw') for (let i = 0; i < tw * th; i++) px.push(randomValue(f, rnd));
      else {
        while (px.length < tw * th) {
          const v = colours[rnd(colours.length)];
          const len = rnd(4) === 0 ? 1 + rnd(40) : 1;
          for (let i = 0; i < len && px.length < tw * th; i++) px.push(v);
        }
      }
      writeTile(b, f, kind, px, tw, palette);
      for (let y = 0; y < th; y++)
        for (let x = 0; x < tw; x++) values[(ty + y) * w + tx + x] = px[y * tw + x];
    }
  }
  return { bytes: b.build(), values };
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

const rect = (x: number, y: number, width: number, height: number) => ({ x, y, width, height, encoding: 15 });

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

const ALL_KINDS: Kind[] = ['raw', 'solid', 'packed', 'packed-reuse', 'plain', 'prle', 'prle-reuse'];

// ---------------------------------------------------------------------------------------------

describe('TrleDecoder', () => {
  describe.each(FORMATS)('$name', (fc) => {
    const f = fc.format;

    it('uses CPIXELs of the expected size', () => {
      expect(cpixel(f, randomValue(f, prng(1))).length).toBe(fc.bytesPerCPixel);
      expect(formatHarness(f, 1, 1).converter.bytesPerCPixel).toBe(fc.bytesPerCPixel);
    });

    it('decodes a 17x33 rectangle at 5,7 with every subencoding and edge tiles', () => {
      const kinds: Kind[] = ['packed', 'packed-reuse', 'prle', 'prle-reuse', 'plain', 'raw'];
      const { bytes, values } = randomRect(f, 17, 33, kinds, 17);
      const h = formatHarness(f, 30, 45);
      h.decode(new TrleDecoder(), rect(5, 7, 17, 33), bytes);
      expectRect(h, f, 5, 7, 17, values);
      // Nothing outside the rectangle was touched.
      expect(h.pixel(4, 7)).toBe(0);
      expect(h.pixel(22, 39)).toBe(0);
      expect(h.pixel(5, 40)).toBe(0);
    });

    it('decodes the same when the bytes arrive one at a time', () => {
      const { bytes, values } = randomRect(f, 48, 40, ALL_KINDS, 99);
      const whole = formatHarness(f, 48, 40);
      whole.decode(new TrleDecoder(), rect(0, 0, 48, 40), bytes);
      const bytewise = formatHarness(f, 48, 40);
      bytewise.decode(new TrleDecoder(), rect(0, 0, 48, 40), bytes, 1);
      expectRect(bytewise, f, 0, 0, 48, values);
      expect(firstDifference(bytewise.fb.data, whole.fb.data)).toBe(-1);
    });
  });

  describe('hand-written tiles (32 bpp RGBX, CPIXEL r g b)', () => {
    const R = rgba(255, 0, 0);
    const G = rgba(0, 255, 0);
    const B = rgba(0, 0, 255);
    const W = rgba(255, 255, 255);

    function decodeRect(w: number, h: number, bytes: Bytes, decoder = new TrleDecoder(), chunk?: number) {
      const hs = new DecoderHarness(FULL, w, h);
      hs.decode(decoder, rect(0, 0, w, h), bytes.build(), chunk);
      return hs;
    }
    const row = (hs: DecoderHarness, y: number, w: number) =>
      Array.from({ length: w }, (_, x) => hs.pixel(x, y));

    it('raw: CPIXELs in rows', () => {
      const hs = decodeRect(
        3,
        2,
        new Bytes().u8(0).u8(255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 1, 2, 3, 4, 5, 6),
      );
      expect(row(hs, 0, 3)).toEqual([R, G, B]);
      expect(row(hs, 1, 3)).toEqual([W, rgba(1, 2, 3), rgba(4, 5, 6)]);
      expect(hs.ops.map((o) => o.kind)).toEqual(['pixels']);
    });

    it('solid tiles of one colour become one fill', () => {
      const bytes = new Bytes();
      for (let i = 0; i < 6; i++) bytes.u8(1, 10, 20, 30);
      const hs = decodeRect(40, 20, bytes);
      expect(hs.ops).toEqual([{ kind: 'fill', x: 0, y: 0, width: 40, height: 20, colour: rgba(10, 20, 30) }]);
      expect(hs.pixel(39, 19)).toBe(rgba(10, 20, 30));
    });

    it('paints the solid tiles skipped before the first tile of another colour', () => {
      // 40x20: tiles 16,16,8 wide then a second row 4 high; the fifth tile breaks the run.
      const bytes = new Bytes();
      for (let i = 0; i < 4; i++) bytes.u8(1, 10, 20, 30);
      bytes.u8(1, 255, 0, 0).u8(1, 10, 20, 30);
      const hs = decodeRect(40, 20, bytes);
      expect(hs.ops.map((o) => o.kind)).toEqual(['pixels']);
      const C = rgba(10, 20, 30);
      const want: number[][] = [];
      for (let y = 0; y < 20; y++)
        want.push(Array.from({ length: 40 }, (_, x) => (y >= 16 && x >= 16 && x < 32 ? R : C)));
      expect(Array.from({ length: 20 }, (_, y) => row(hs, y, 40))).toEqual(want);
    });

    it('paints a whole row of skipped solid tiles when the next row starts with another colour', () => {
      const bytes = new Bytes().u8(1, 10, 20, 30, 1, 10, 20, 30).u8(1, 255, 0, 0).u8(1, 10, 20, 30);
      const hs = decodeRect(17, 18, bytes);
      const C = rgba(10, 20, 30);
      const want = Array.from({ length: 18 }, (_, y) =>
        Array.from({ length: 17 }, (_, x) => (y >= 16 && x < 16 ? R : C)),
      );
      expect(Array.from({ length: 18 }, (_, y) => row(hs, y, 17))).toEqual(want);
      expect(hs.ops.map((o) => o.kind)).toEqual(['pixels']);
    });

    it('packed palette, 1 bit per pixel, rows of 11 pixels padded to 2 bytes', () => {
      // Row 0: 1 0 1 1 0 0 0 0 | 1 1 1 (pad); row 1 inverted.
      const bytes = new Bytes()
        .u8(2, 255, 0, 0, 0, 0, 255)
        .u8(0b10110000, 0b11100000)
        .u8(0b01001111, 0b00000000);
      const hs = decodeRect(11, 2, bytes);
      expect(row(hs, 0, 11)).toEqual([B, R, B, B, R, R, R, R, B, B, B]);
      expect(row(hs, 1, 11)).toEqual([R, B, R, R, B, B, B, B, R, R, R]);
    });

    it('packed palette, 2 bits per pixel (3 colours), rows of 5 pixels', () => {
      // indices 0 1 2 0 1 | 2 2 1 1 0
      const bytes = new Bytes()
        .u8(3, 255, 0, 0, 0, 255, 0, 0, 0, 255)
        .u8(0b00011000, 0b01000000)
        .u8(0b10100101, 0b00000000);
      const hs = decodeRect(5, 2, bytes);
      expect(row(hs, 0, 5)).toEqual([R, G, B, R, G]);
      expect(row(hs, 1, 5)).toEqual([B, B, G, G, R]);
    });

    it('packed palette, 4 bits per pixel (5 colours), rows of 3 pixels', () => {
      const bytes = new Bytes().u8(5, 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 1, 2, 3);
      bytes.u8(0x43, 0x20).u8(0x01, 0x40);
      const hs = decodeRect(3, 2, bytes);
      expect(row(hs, 0, 3)).toEqual([rgba(1, 2, 3), W, B]);
      expect(row(hs, 1, 3)).toEqual([R, G, rgba(1, 2, 3)]);
    });

    it('packed palette, 4 bits per pixel (16 colours), rows of 3 pixels', () => {
      const bytes = new Bytes().u8(16);
      for (let i = 0; i < 16; i++) bytes.u8(i * 16, 0, 255 - i);
      bytes.u8(0xf0, 0x70).u8(0x18, 0xe0);
      const hs = decodeRect(3, 2, bytes);
      const c = (i: number) => rgba(i * 16, 0, 255 - i);
      expect(row(hs, 0, 3)).toEqual([c(15), c(0), c(7)]);
      expect(row(hs, 1, 3)).toEqual([c(1), c(8), c(14)]);
    });

    it('127 reuses the previous palette, also in a later rectangle', () => {
      const decoder = new TrleDecoder();
      const hs = new DecoderHarness(FULL, 8, 2);
      hs.decode(decoder, rect(0, 0, 2, 1), new Bytes().u8(2, 255, 0, 0, 0, 255, 0).u8(0b01000000).build());
      // Next rectangle: 127 with the 2-colour palette; then a raw tile must not disturb it.
      hs.decode(decoder, rect(0, 1, 4, 1), new Bytes().u8(127, 0b10010000).build());
      expect(row(hs, 1, 4)).toEqual([G, R, R, G]);
      const again = new Bytes().u8(0, 1, 1, 1).u8(127, 0b10000000);
      hs.decode(decoder, rect(4, 0, 1, 1), again.build().subarray(0, 4));
      hs.decode(decoder, rect(5, 0, 1, 1), again.build().subarray(4));
      expect(hs.pixel(4, 0)).toBe(rgba(1, 1, 1));
      expect(hs.pixel(5, 0)).toBe(G);
    });

    it('plain RLE: runs across rows, lengths 255 ([254]) and 256 ([255, 0])', () => {
      // A 16x16 tile (256 pixels): 1 red, 255 green; then a tile of 256 blue.
      const bytes = new Bytes().u8(128, 255, 0, 0, 0, 0, 255, 0, 254).u8(128, 0, 0, 255, 255, 0);
      const hs = decodeRect(32, 16, bytes);
      expect(hs.pixel(0, 0)).toBe(R);
      expect(hs.pixel(1, 0)).toBe(G);
      expect(hs.pixel(15, 15)).toBe(G);
      expect(hs.pixel(16, 0)).toBe(B);
      expect(hs.pixel(31, 15)).toBe(B);
    });

    it('palette RLE: single pixels, a run marked with a length of 1, a run across rows', () => {
      // 3x3, palette R G B: R, G, (B run 1), (R run 5) , G
      const bytes = new Bytes().u8(131, 255, 0, 0, 0, 255, 0, 0, 0, 255).u8(0, 1, 0x82, 0, 0x80, 4, 1);
      const hs = decodeRect(3, 3, bytes);
      expect([row(hs, 0, 3), row(hs, 1, 3), row(hs, 2, 3)]).toEqual([
        [R, G, B],
        [R, R, R],
        [R, R, G],
      ]);
    });

    it('129 reuses the previous palette', () => {
      const bytes = new Bytes().u8(2, 255, 0, 0, 0, 0, 255, 0b01000000, 0).u8(129, 1, 0x80, 0);
      const hs = decodeRect(18, 1, bytes);
      expect(row(hs, 0, 18)).toEqual([R, B, ...new Array(14).fill(R), B, R]);
    });

    it('a palette RLE palette (up to 127 colours) can be reused by 129', () => {
      const bytes = new Bytes().u8(128 + 127);
      for (let i = 0; i < 127; i++) bytes.u8(i, 0, 0);
      bytes.u8(126, 0x80 | 125, 14); // 1 + 15 pixels
      bytes.u8(129, 0x80 | 3, 0, 0x80 | 7, 12);
      const hs = decodeRect(30, 1, bytes);
      expect(hs.pixel(0, 0)).toBe(rgba(126, 0, 0));
      expect(hs.pixel(14, 0)).toBe(rgba(125, 0, 0));
      expect(hs.pixel(16, 0)).toBe(rgba(3, 0, 0));
      expect(hs.pixel(29, 0)).toBe(rgba(7, 0, 0));
    });

    it('a tile that arrives in pieces is painted once whole', () => {
      const bytes = new Bytes().u8(130, 255, 0, 0, 0, 255, 0);
      for (let i = 0; i < 256; i++) bytes.u8(i & 1);
      const hs = decodeRect(16, 16, bytes, new TrleDecoder(), 1);
      expect(hs.pixel(0, 0)).toBe(R);
      expect(hs.pixel(1, 0)).toBe(G);
      expect(hs.pixel(15, 7)).toBe(G);
    });
  });

  describe('malformed data', () => {
    const attempt = (w: number, h: number, bytes: Bytes, decoder = new TrleDecoder()) =>
      decodeError(() => new DecoderHarness(FULL, 32, 32).decode(decoder, rect(0, 0, w, h), bytes.build()));

    it.each([17, 100, 126])('rejects subencoding %i', (sub) => {
      expect(attempt(1, 1, new Bytes().u8(sub)).message).toMatch(
        `TRLE tile at 0,0 of the 1x1 rectangle at 0,0 has subencoding ${sub}`,
      );
    });

    it('rejects 127 and 129 before any palette', () => {
      expect(attempt(1, 1, new Bytes().u8(127, 0)).message).toMatch(
        /subencoding 127, reusing a palette when none/,
      );
      expect(attempt(1, 1, new Bytes().u8(129, 0)).message).toMatch(
        /subencoding 129, reusing a palette when none/,
      );
    });

    it('rejects 127 after a palette too large to pack', () => {
      const bytes = new Bytes().u8(128 + 17);
      for (let i = 0; i < 17; i++) bytes.u8(i, i, i);
      bytes.u8(0x80, 15).u8(127, 0);
      expect(attempt(17, 1, bytes).message).toMatch(/tile at 16,0 .* 17-colour palette for packed pixels/);
    });

    it('rejects a packed index past a 3-colour palette', () => {
      const bytes = new Bytes().u8(3, 1, 1, 1, 2, 2, 2, 3, 3, 3).u8(0b00011011);
      expect(attempt(4, 1, bytes).message).toMatch(/palette index 3 outside its 3-colour palette/);
    });

    it('rejects a palette RLE index past the palette', () => {
      expect(attempt(2, 1, new Bytes().u8(130, 1, 1, 1, 2, 2, 2, 0, 2)).message).toMatch(
        /palette index 2 outside/,
      );
      expect(attempt(2, 1, new Bytes().u8(130, 1, 1, 1, 2, 2, 2, 0x85, 1)).message).toMatch(
        /palette index 5 outside/,
      );
    });

    it('rejects runs past the end of the tile', () => {
      expect(attempt(2, 2, new Bytes().u8(128, 1, 1, 1, 4)).message).toMatch(
        /run longer than the 4 pixels left in its 2x2 tile/,
      );
      const prle = new Bytes().u8(130, 1, 1, 1, 2, 2, 2, 1, 0x80, 3);
      expect(attempt(2, 2, prle).message).toMatch(/run longer than the 3 pixels left/);
    });
  });
});
