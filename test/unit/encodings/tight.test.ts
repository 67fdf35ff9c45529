import { describe, expect, it } from 'vitest';
import { bytesPerTPixel, TightDecoder } from '../../../main/rfb/encodings/tight.ts';
import { PixelConverter } from '../../../main/rfb/pixel-converter.ts';
import { LEVEL_FORMATS, type PixelFormat } from '../../../main/rfb/pixel-format.ts';
import { RfbError } from '../../../shared/rfb-error.ts';
import {
  Bytes,
  DecoderHarness,
  formatHarness,
  mapEntry,
  rgba,
  ServerDeflater,
  scale,
} from '../../support/decode-harness.ts';

/** Writes a length the way the spec's compact representation does (7 bits, 7 bits, 8 bits). */
function compact(n: number): number[] {
  if (n < 128) return [n];
  if (n < 16384) return [0x80 | (n & 0x7f), n >> 7];
  return [0x80 | (n & 0x7f), 0x80 | ((n >> 7) & 0x7f), n >> 14];
}

interface FormatCase {
  name: string;
  format: PixelFormat;
  /** Bytes of a TPIXEL as the spec defines it for this format. */
  tpx: number;
  /** Channel maxima for true colour; undefined for a colour map. */
  maxima?: [number, number, number];
  /** Colour `i` (any integer) as channel values (or [index] for a colour map). */
  colour: (i: number) => number[];
  /** Wire bytes of a TPIXEL whose channels (or index) are `c`. */
  encode: (c: number[]) => number[];
  /** The RGBA word colour `c` means. */
  rgba: (c: number[]) => number;
}

const bytes32 = (v: number, bigEndian: boolean) =>
  bigEndian
    ? [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]
    : [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24];

const c888 = (i: number) => [(i * 37 + 1) & 255, (i * 11 + 200) & 255, (i * 5 + 3) & 255];
const c565 = (i: number) => [(i * 7 + 3) & 31, (i * 13 + 40) & 63, (i * 3 + 1) & 31];
const rgba888 = (c: number[]) => rgba(c[0], c[1], c[2]);
const rgba565 = (c: number[]) => rgba(scale(c[0], 31), scale(c[1], 63), scale(c[2], 31));
const v565 = (c: number[]) => (c[0] << 11) | (c[1] << 5) | c[2];

const FORMATS: FormatCase[] = [
  {
    name: '32 bpp depth 24 little-endian RGBX (TPIXEL R,G,B)',
    format: LEVEL_FORMATS.full,
    tpx: 3,
    maxima: [255, 255, 255],
    colour: c888,
    encode: (c) => c,
    rgba: rgba888,
  },
  {
    // A CPIXEL here would be the low 3 bytes in wire order: B, G, R. A TPIXEL is always R, G, B.
    name: '32 bpp depth 24 little-endian BGRX (TPIXEL still R,G,B)',
    format: { ...LEVEL_FORMATS.full, redShift: 16, blueShift: 0 },
    tpx: 3,
    maxima: [255, 255, 255],
    colour: c888,
    encode: (c) => c,
    rgba: rgba888,
  },
  {
    name: '32 bpp depth 24 big-endian RGBx, channels in the high bytes (TPIXEL R,G,B)',
    format: { ...LEVEL_FORMATS.full, bigEndian: true, redShift: 24, greenShift: 16, blueShift: 8 },
    tpx: 3,
    maxima: [255, 255, 255],
    colour: c888,
    encode: (c) => c,
    rgba: rgba888,
  },
  {
    // CPIXEL would be 3 bytes here (depth ≤ 24, fits in the low bytes); a TPIXEL is the whole PIXEL.
    name: '32 bpp depth 16 little-endian 5-6-5 (TPIXEL = 4-byte PIXEL)',
    format: { ...LEVEL_FORMATS.rgb565, bitsPerPixel: 32 },
    tpx: 4,
    maxima: [31, 63, 31],
    colour: c565,
    encode: (c) => bytes32(v565(c), false),
    rgba: rgba565,
  },
  {
    name: '16 bpp big-endian rgb565',
    format: { ...LEVEL_FORMATS.rgb565, bigEndian: true },
    tpx: 2,
    maxima: [31, 63, 31],
    colour: c565,
    encode: (c) => [v565(c) >> 8, v565(c) & 255],
    rgba: rgba565,
  },
  {
    name: '16 bpp little-endian rgb565',
    format: LEVEL_FORMATS.rgb565,
    tpx: 2,
    maxima: [31, 63, 31],
    colour: c565,
    encode: (c) => [v565(c) & 255, v565(c) >> 8],
    rgba: rgba565,
  },
  {
    name: '8 bpp colour map',
    format: LEVEL_FORMATS.pal8,
    tpx: 1,
    colour: (i) => [(i * 29 + 5) & 255],
    encode: (c) => c,
    rgba: (c) => rgba(...mapEntry(c[0])),
  },
];
const FULL = FORMATS[0];
const RGB565 = FORMATS[4];

const rect = (x: number, y: number, width: number, height: number) => ({ x, y, width, height, encoding: 7 });

function pixels(h: DecoderHarness, x0: number, y0: number, w: number, rows: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < rows; y++) for (let x = 0; x < w; x++) out.push(h.pixel(x0 + x, y0 + y));
  return out;
}

/** The data of a BasicCompression rectangle: as is below 12 bytes, else compact length and zlib data. */
function payload(data: Uint8Array, deflater: ServerDeflater | undefined): number[] {
  if (data.length < 12) return Array.from(data);
  if (!deflater) throw new Error('this data must be compressed');
  const z = deflater.compress(data);
  return [...compact(z.length), ...z];
}

/** A copy-filter rectangle whose pixel (x, y) is colour `seed + x * 3 + y * 7`. */
function copyRect(fc: FormatCase, w: number, h: number, seed: number) {
  const raw = new Bytes();
  const expected: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = fc.colour(seed + x * 3 + y * 7);
      raw.raw(fc.encode(c));
      expected.push(fc.rgba(c));
    }
  }
  return { raw: raw.build(), expected };
}

/** A palette-filter rectangle: `n` colours, pixel (x, y) uses entry (x + 2y) mod n. */
function paletteRect(fc: FormatCase, n: number, w: number, h: number, seed: number) {
  const colours = Array.from({ length: n }, (_, i) => fc.colour(seed + i * 5));
  const index = (x: number, y: number) => (x + 2 * y) % n;
  const packed = new Bytes();
  if (n === 2) {
    for (let y = 0; y < h; y++) {
      for (let bx = 0; bx < w; bx += 8) {
        let byte = 0;
        for (let bit = 0; bit < 8; bit++) if (bx + bit < w && index(bx + bit, y) === 1) byte |= 0x80 >> bit;
        packed.u8(byte);
      }
    }
  } else {
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) packed.u8(index(x, y));
  }
  const expected: number[] = [];
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) expected.push(fc.rgba(colours[index(x, y)]));
  return { header: [n - 1, ...colours.flatMap((c) => fc.encode(c))], data: packed.build(), expected };
}

/**
 * A gradient-filter rectangle, filtered as an encoder would: each channel is sent as the
 * difference from left + up − up-left (clamped to 0..max), modulo max + 1.
 */
function gradientRect(fc: FormatCase, w: number, h: number, seed: number) {
  const maxima = fc.maxima!;
  const values: number[][] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // A smooth ramp with some noise, which is what the filter is for.
      const c = maxima.map((max, k) =>
        Math.min(max, Math.max(0, ((x * (k + 1) + y * 2 + seed) * max) / (w + h + 4))),
      );
      values.push(c.map((v, k) => (Math.round(v) + ((x * y + k + seed) % 3)) % (maxima[k] + 1)));
    }
  }
  const at = (x: number, y: number, k: number) => (x < 0 || y < 0 ? 0 : values[y * w + x][k]);
  const raw = new Bytes();
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const diff = maxima.map((max, k) => {
        const p = Math.min(max, Math.max(0, at(x - 1, y, k) + at(x, y - 1, k) - at(x - 1, y - 1, k)));
        return (((at(x, y, k) - p) % (max + 1)) + max + 1) % (max + 1);
      });
      raw.raw(fc.encode(diff));
    }
  }
  return { raw: raw.build(), expected: values.map((c) => fc.rgba(c)) };
}

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

/** A deterministic byte sequence that zlib cannot shrink. */
function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

describe('TPIXEL size', () => {
  it.each(FORMATS)('$name: $tpx bytes', (fc) => {
    expect(bytesPerTPixel(new PixelConverter(fc.format))).toBe(fc.tpx);
  });

  it('differs from the CPIXEL where the spec says so', () => {
    const depth16 = new PixelConverter(FORMATS[3].format);
    expect(depth16.bytesPerCPixel).toBe(3);
    expect(bytesPerTPixel(depth16)).toBe(4);
    // 32 bpp depth 24 with a 10-bit-wide channel is not "8 bits each": a TPIXEL is the PIXEL.
    const wide = new PixelConverter({
      ...LEVEL_FORMATS.full,
      redMax: 1023,
      greenShift: 10,
      blueShift: 18,
      blueMax: 63,
    });
    expect(bytesPerTPixel(wide)).toBe(4);
  });

  it('the compact length helper matches the spec example (10000 is 90 4E)', () => {
    expect(compact(10000)).toEqual([0x90, 0x4e]);
  });
});

describe('TightDecoder', () => {
  describe.each(FORMATS)('$name', (fc) => {
    it('FillCompression paints the rectangle with one TPIXEL, as a fill op', () => {
      const c = fc.colour(4);
      const h = formatHarness(fc.format, 10, 8);
      h.decode(new TightDecoder(), rect(2, 3, 5, 4), Uint8Array.from([0x80, ...fc.encode(c)]));
      expect(h.ops).toEqual([{ kind: 'fill', x: 2, y: 3, width: 5, height: 4, colour: fc.rgba(c) }]);
      expect(h.pixel(2, 3)).toBe(fc.rgba(c));
      expect(h.pixel(6, 6)).toBe(fc.rgba(c));
      expect(h.pixel(1, 3)).toBe(0);
      expect(h.pixel(7, 6)).toBe(0);
    });

    it('copy filter, fewer than 12 bytes: sent as is, with or without a filter id byte', () => {
      const n = Math.floor(11 / fc.tpx);
      const { raw, expected } = copyRect(fc, n, 1, 3);
      expect(raw.length).toBeLessThan(12);
      for (const head of [[0x00], [0x40, 0x00], [0x70, 0x00]]) {
        const h = formatHarness(fc.format, 20, 4);
        h.decode(new TightDecoder(), rect(1, 2, n, 1), Uint8Array.from([...head, ...raw]));
        expect(pixels(h, 1, 2, n, 1)).toEqual(expected);
        expect(h.pixel(0, 2)).toBe(0);
      }
    });

    it('copy filter, 12 bytes or more: zlib data on the stream the control byte names', () => {
      const { raw, expected } = copyRect(fc, 7, 5, 1);
      const h = formatHarness(fc.format, 20, 20);
      const decoder = new TightDecoder();
      for (let stream = 0; stream < 4; stream++) {
        const msg = [stream << 4, ...payload(raw, new ServerDeflater())];
        h.decode(decoder, rect(stream * 4, stream * 3, 7, 5), Uint8Array.from(msg));
        expect(pixels(h, stream * 4, stream * 3, 7, 5)).toEqual(expected);
      }
    });

    it('palette filter, 2 colours: 1 bit per pixel, rows padded to bytes (odd widths)', () => {
      for (const [w, rows] of [
        [13, 3], // 6 bytes: as is
        [9, 5], // 10 bytes: as is
        [21, 4], // 12 bytes: compressed
        [1, 17], // 17 bytes: compressed
        [37, 7],
      ]) {
        const p = paletteRect(fc, 2, w, rows, w);
        const h = formatHarness(fc.format, 40, 20);
        const msg = [0x40, 0x01, ...p.header, ...payload(p.data, new ServerDeflater())];
        h.decode(new TightDecoder(), rect(2, 1, w, rows), Uint8Array.from(msg));
        expect(pixels(h, 2, 1, w, rows), `${w}x${rows}`).toEqual(p.expected);
        expect(h.pixel(2 + w, 1)).toBe(0);
      }
    });

    it('palette filter, 3 to 16 colours (and 256): 1 byte per pixel', () => {
      for (const [n, w, rows] of [
        [3, 3, 3], // 9 bytes: as is
        [5, 6, 4],
        [16, 17, 5],
        [256, 20, 16],
      ]) {
        const p = paletteRect(fc, n, w, rows, n);
        const h = formatHarness(fc.format, 30, 20);
        const msg = [0x60, 0x01, ...p.header, ...payload(p.data, new ServerDeflater())];
        h.decode(new TightDecoder(), rect(0, 2, w, rows), Uint8Array.from(msg));
        expect(pixels(h, 0, 2, w, rows), `${n} colours`).toEqual(p.expected);
      }
    });

    if (fc.maxima && fc.format.bitsPerPixel !== 8) {
      it('gradient filter: left + up − up-left prediction, clamped', () => {
        for (const [w, rows] of [
          [2, 1], // below 12 bytes for every TPIXEL size here: as is
          [13, 9],
          [40, 12],
        ]) {
          const g = gradientRect(fc, w, rows, w + rows);
          const h = formatHarness(fc.format, 50, 20);
          const msg = [0x40, 0x02, ...payload(g.raw, new ServerDeflater())];
          h.decode(new TightDecoder(), rect(3, 4, w, rows), Uint8Array.from(msg));
          expect(pixels(h, 3, 4, w, rows), `${w}x${rows}`).toEqual(g.expected);
        }
      });
    }

    it('a run of rectangles fed byte by byte paints what it paints fed whole', () => {
      const streams = [0, 1, 2, 3].map(() => new ServerDeflater());
      const a = copyRect(fc, 9, 6, 2);
      const p2 = paletteRect(fc, 2, 11, 6, 1);
      const p7 = paletteRect(fc, 7, 10, 6, 9);
      const fillColour = fc.colour(99);
      const messages: [ReturnType<typeof rect>, Uint8Array][] = [
        [rect(0, 0, 9, 6), Uint8Array.from([0x00, ...payload(a.raw, streams[0])])],
        [rect(9, 0, 11, 6), Uint8Array.from([0x50, 0x01, ...p2.header, ...payload(p2.data, streams[1])])],
        [rect(0, 6, 10, 6), Uint8Array.from([0x60, 0x01, ...p7.header, ...payload(p7.data, streams[2])])],
        [rect(10, 6, 10, 6), Uint8Array.from([0x80, ...fc.encode(fillColour)])],
        // The same pixels again on stream 0: the deflater refers back to the first rectangle.
        [rect(0, 12, 9, 6), Uint8Array.from([0x00, ...payload(a.raw, streams[0])])],
      ];
      const results = [undefined, 1, 5].map((chunk) => {
        const h = formatHarness(fc.format, 20, 18);
        const decoder = new TightDecoder();
        for (const [r, m] of messages) h.decode(decoder, r, m, chunk);
        return { data: Array.from(h.fb.data), ops: h.ops.map((o) => o.kind) };
      });
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
      const h = formatHarness(fc.format, 20, 18);
      const decoder = new TightDecoder();
      for (const [r, m] of messages) h.decode(decoder, r, m, 1);
      expect(pixels(h, 0, 0, 9, 6)).toEqual(a.expected);
      expect(pixels(h, 9, 0, 11, 6)).toEqual(p2.expected);
      expect(pixels(h, 0, 6, 10, 6)).toEqual(p7.expected);
      expect(pixels(h, 10, 6, 10, 6)).toEqual(new Array(60).fill(fc.rgba(fillColour)));
      expect(pixels(h, 0, 12, 9, 6)).toEqual(a.expected);
    });
  });

  it('compact lengths of 1, 2 and 3 bytes', () => {
    for (const [w, rows, lengthBytes] of [
      [6, 4, 1], // 72 bytes of noise: under 128 compressed
      [30, 20, 2], // 1800 bytes
      [100, 70, 3], // 21000 bytes: at least 16384 compressed
    ]) {
      const raw = noise(w * rows * 3, w);
      const z = new ServerDeflater().compress(raw);
      const len = compact(z.length);
      expect(len.length, `${w}x${rows}`).toBe(lengthBytes);
      const h = new DecoderHarness(FULL.format, 100, 70);
      h.decode(new TightDecoder(), rect(0, 0, w, rows), Uint8Array.from([0x00, ...len, ...z]), 1000);
      const expected: number[] = [];
      for (let i = 0; i < w * rows; i++) expected.push(rgba(raw[i * 3], raw[i * 3 + 1], raw[i * 3 + 2]));
      expect(pixels(h, 0, 0, w, rows)).toEqual(expected);
    }
  });

  it('reset bits start a stream afresh, even on a fill rectangle', () => {
    const a = copyRect(FULL, 8, 4, 1);
    const b = copyRect(FULL, 8, 4, 50);
    const h = new DecoderHarness(FULL.format, 20, 20);
    const decoder = new TightDecoder();
    h.decode(decoder, rect(0, 0, 8, 4), Uint8Array.from([0x10, ...payload(a.raw, new ServerDeflater())]));
    // A new server-side deflater on stream 1: the client must reset its stream 1 (bit 1).
    h.decode(decoder, rect(0, 4, 8, 4), Uint8Array.from([0x12, ...payload(b.raw, new ServerDeflater())]));
    expect(pixels(h, 0, 0, 8, 4)).toEqual(a.expected);
    expect(pixels(h, 0, 4, 8, 4)).toEqual(b.expected);
    // Stream 0 used, then reset by a fill rectangle (bit 0), then used from scratch.
    h.decode(decoder, rect(8, 0, 8, 4), Uint8Array.from([0x00, ...payload(a.raw, new ServerDeflater())]));
    h.decode(decoder, rect(16, 0, 4, 4), Uint8Array.from([0x81, 1, 2, 3]));
    h.decode(decoder, rect(8, 4, 8, 4), Uint8Array.from([0x00, ...payload(b.raw, new ServerDeflater())]));
    expect(pixels(h, 8, 4, 8, 4)).toEqual(b.expected);
    expect(h.pixel(16, 0)).toBe(rgba(1, 2, 3));
    // Several reset bits at once, with data on stream 3.
    h.decode(decoder, rect(0, 8, 8, 4), Uint8Array.from([0x3f, ...payload(a.raw, new ServerDeflater())]));
    expect(pixels(h, 0, 8, 8, 4)).toEqual(a.expected);
  });

  it('without the reset bit, a fresh server stream is corrupt data on the old one', () => {
    const a = copyRect(FULL, 8, 4, 1);
    const h = new DecoderHarness(FULL.format, 20, 20);
    const decoder = new TightDecoder();
    h.decode(decoder, rect(0, 0, 8, 4), Uint8Array.from([0x10, ...payload(a.raw, new ServerDeflater())]));
    const err = decodeError(() =>
      h.decode(decoder, rect(0, 4, 8, 4), Uint8Array.from([0x10, ...payload(a.raw, new ServerDeflater())])),
    );
    expect(err.message).toMatch(/tight1 data is corrupt/);
  });

  it('an empty rectangle reads only its control byte (and resets)', () => {
    const h = new DecoderHarness(FULL.format, 4, 4);
    const decoder = new TightDecoder();
    h.decode(decoder, rect(0, 0, 0, 3), Uint8Array.from([0x00]));
    h.decode(decoder, rect(0, 0, 3, 0), Uint8Array.from([0x40, 0x01, 1, 1, 2, 3, 4, 5, 6]));
    h.decode(decoder, rect(0, 0, 0, 0), Uint8Array.from([0x80, 1, 2, 3]));
    expect(h.ops).toEqual([]);
  });

  it('16 bpp rgb565 fill and copy use 2-byte TPIXELs', () => {
    const h = new DecoderHarness(RGB565.format, 4, 1);
    // rgb565 big-endian: 0xf800 is pure red.
    h.decode(new TightDecoder(), rect(0, 0, 1, 1), Uint8Array.from([0x80, 0xf8, 0x00]));
    expect(h.pixel(0, 0)).toBe(rgba(255, 0, 0));
    h.decode(
      new TightDecoder(),
      rect(1, 0, 3, 1),
      Uint8Array.from([0x00, 0x07, 0xe0, 0x00, 0x1f, 0xff, 0xff]),
    );
    expect(pixels(h, 1, 0, 3, 1)).toEqual([rgba(0, 255, 0), rgba(0, 0, 255), rgba(255, 255, 255)]);
  });

  describe('malformed data', () => {
    const attempt = (w: number, rows: number, message: ArrayLike<number>, format = FULL.format) =>
      decodeError(() =>
        formatHarness(format, 40, 40).decode(
          new TightDecoder(),
          rect(0, 0, w, rows),
          Uint8Array.from(message),
        ),
      ).message;

    it('refuses a JPEG rectangle with no JPEG data (JPEG itself: tight-jpeg.test.ts)', () => {
      expect(attempt(4, 4, [0x90, 0x00])).toMatch(/has a JPEG image of 0 bytes/);
    });

    it('refuses compression types above JPEG', () => {
      for (const control of [0xa0, 0xb3, 0xf0]) {
        expect(attempt(4, 4, [control])).toMatch(
          new RegExp(`invalid compression control byte 0x${control.toString(16)}`),
        );
      }
    });

    it('refuses an unknown filter', () => {
      expect(attempt(2, 2, [0x40, 0x03])).toMatch(/uses filter 3, which does not exist/);
    });

    it('refuses the gradient filter on 8 bpp formats', () => {
      expect(attempt(2, 2, [0x40, 0x02, 1, 2, 3, 4], LEVEL_FORMATS.pal8)).toMatch(
        /gradient filter, which needs a 16 or 32 bpp true-colour format/,
      );
      expect(attempt(2, 2, [0x40, 0x02, 1, 2, 3, 4], LEVEL_FORMATS.rgb332)).toMatch(/gradient filter/);
    });

    it('refuses a palette index beyond the palette', () => {
      expect(attempt(3, 3, [0x40, 0x01, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 0, 1, 2, 0, 1, 3, 0, 0, 0])).toMatch(
        /pixel 2,1 uses palette entry 3 of a 3-colour palette/,
      );
    });

    it('refuses zlib data that inflates to less than the rectangle', () => {
      const z = new ServerDeflater().compress(new Uint8Array(5 * 4 * 3 - 1));
      expect(attempt(5, 4, [0x00, ...compact(z.length), ...z])).toMatch(
        /Tight rectangle 5x4 at 0,0: its zlib data \(stream 0\) inflates to 59 bytes instead of 60/,
      );
    });

    it('refuses zlib data that inflates to more than the rectangle', () => {
      const z = new ServerDeflater().compress(new Uint8Array(5 * 4 * 3 + 1));
      expect(attempt(5, 4, [0x20, ...compact(z.length), ...z])).toMatch(
        /tight2 data inflates to more than the 60 bytes/,
      );
    });

    it('refuses corrupt zlib data', () => {
      expect(attempt(5, 4, [0x00, 6, 0x78, 0x9c, 0xff, 0xff, 0xff, 0xff])).toMatch(/tight0 data is corrupt/);
    });

    it('refuses a zero compact length where data must be compressed', () => {
      expect(attempt(5, 4, [0x00, 0x00])).toMatch(/has no compressed data/);
    });
  });
});
