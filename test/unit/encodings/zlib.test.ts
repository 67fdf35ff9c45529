import { describe, expect, it } from 'vitest';
import { MAX_ZLIB_LENGTH, ZlibDecoder } from '../../../main/rfb/encodings/zlib.ts';
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

interface FormatCase {
  name: string;
  format: PixelFormat;
  /** Wire bytes of pixel `i` (any integer) and the RGBA word it means. */
  pixel: (i: number) => { bytes: number[]; rgba: number };
}

const FORMATS: FormatCase[] = [
  {
    name: '32 bpp little-endian RGBX',
    format: LEVEL_FORMATS.full,
    pixel: (i) => {
      const [r, g, b] = [(i * 37) & 255, (i * 11) & 255, (i * 5 + 3) & 255];
      return { bytes: [r, g, b, 0xee], rgba: rgba(r, g, b) };
    },
  },
  {
    name: '32 bpp big-endian xRGB',
    format: { ...LEVEL_FORMATS.full, bigEndian: true, redShift: 16, greenShift: 8, blueShift: 0 },
    pixel: (i) => {
      const [r, g, b] = [(i * 37) & 255, (i * 11) & 255, (i * 5 + 3) & 255];
      return { bytes: [0, r, g, b], rgba: rgba(r, g, b) };
    },
  },
  {
    name: '16 bpp big-endian rgb565',
    format: { ...LEVEL_FORMATS.rgb565, bigEndian: true },
    pixel: (i) => {
      const [r, g, b] = [(i * 7) & 31, (i * 13) & 63, (i * 3 + 1) & 31];
      const v = (r << 11) | (g << 5) | b;
      return { bytes: [v >> 8, v & 255], rgba: rgba(scale(r, 31), scale(g, 63), scale(b, 31)) };
    },
  },
  {
    name: '8 bpp rgb332',
    format: LEVEL_FORMATS.rgb332,
    pixel: (i) => {
      const [r, g, b] = [i & 7, (i * 3) & 7, (i * 5) & 3];
      return { bytes: [(r << 5) | (g << 2) | b], rgba: rgba(scale(r, 7), scale(g, 7), scale(b, 3)) };
    },
  },
  {
    name: '8 bpp colour map',
    format: LEVEL_FORMATS.pal8,
    pixel: (i) => ({ bytes: [(i * 29) & 255], rgba: rgba(...mapEntry((i * 29) & 255)) }),
  },
];
const FULL = FORMATS[0];

/** Raw PIXELs of a w x h rectangle whose pixel (x, y) is `fc.pixel(seed + x * 3 + y * 7)`. */
function rawRect(fc: FormatCase, w: number, h: number, seed: number) {
  const b = new Bytes();
  const expected: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = fc.pixel(seed + x * 3 + y * 7);
      b.raw(p.bytes);
      expected.push(p.rgba);
    }
  }
  return { raw: b.build(), expected };
}

function pixels(h: DecoderHarness, x0: number, y0: number, w: number, rows: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < rows; y++) for (let x = 0; x < w; x++) out.push(h.pixel(x0 + x, y0 + y));
  return out;
}

const rect = (x: number, y: number, width: number, height: number) => ({ x, y, width, height, encoding: 6 });

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

describe('ZlibDecoder', () => {
  describe.each(FORMATS)('$name', (fc) => {
    it('decodes a 5x3 rectangle at 2,1', () => {
      const { raw, expected } = rawRect(fc, 5, 3, 1);
      const h = formatHarness(fc.format, 8, 6);
      h.decode(new ZlibDecoder(), rect(2, 1, 5, 3), new ServerDeflater().message(raw));
      expect(pixels(h, 2, 1, 5, 3)).toEqual(expected);
      expect(h.pixel(1, 1)).toBe(0);
      expect(h.pixel(7, 3)).toBe(0);
      expect(h.pixel(2, 4)).toBe(0);
    });

    it('decodes consecutive rectangles on one stream, whole or byte by byte', () => {
      const a = rawRect(fc, 40, 30, 2);
      const b = rawRect(fc, 40, 30, 2); // the same pixels: the second rectangle refers back to the first
      const writer = new ServerDeflater();
      const m1 = writer.message(a.raw);
      const m2 = writer.message(b.raw);
      expect(m2.length).toBeLessThan(m1.length / 2);
      for (const chunk of [undefined, 1]) {
        const h = formatHarness(fc.format, 80, 30);
        const decoder = new ZlibDecoder();
        h.decode(decoder, rect(0, 0, 40, 30), m1, chunk);
        h.decode(decoder, rect(40, 0, 40, 30), m2, chunk);
        expect(pixels(h, 0, 0, 40, 30)).toEqual(a.expected);
        expect(pixels(h, 40, 0, 40, 30)).toEqual(b.expected);
      }
    });
  });

  it('an empty rectangle still reads its data, keeping the stream in step', () => {
    const writer = new ServerDeflater();
    const h = new DecoderHarness(FULL.format, 4, 4);
    const decoder = new ZlibDecoder();
    h.decode(decoder, rect(0, 0, 3, 0), writer.message(new Uint8Array(0)));
    const { raw, expected } = rawRect(FULL, 2, 2, 9);
    h.decode(decoder, rect(1, 1, 2, 2), writer.message(raw));
    expect(pixels(h, 1, 1, 2, 2)).toEqual(expected);
    expect(h.ops.map((o) => o.kind)).toEqual(['pixels']);
  });

  describe('malformed data', () => {
    const attempt = (w: number, h: number, message: Uint8Array) =>
      decodeError(() =>
        new DecoderHarness(FULL.format, 20, 20).decode(new ZlibDecoder(), rect(0, 0, w, h), message),
      ).message;

    it('rejects data that inflates to less than the rectangle', () => {
      const message = new ServerDeflater().message(new Uint8Array(4 * 5 * 2 - 1));
      expect(attempt(5, 2, message)).toMatch(/Zlib rectangle 5x2 at 0,0 inflates to 39 bytes instead of 40/);
    });

    it('rejects data that inflates to more than the rectangle', () => {
      const message = new ServerDeflater().message(new Uint8Array(4 * 5 * 2 + 1));
      expect(attempt(5, 2, message)).toMatch(/zlib data inflates to more than the 40 bytes/);
    });

    it('rejects corrupt zlib data', () => {
      expect(attempt(1, 1, new Bytes().u32(6).u8(0x78, 0x9c, 0xff, 0xff, 0xff, 0xff).build())).toMatch(
        /zlib data is corrupt/,
      );
    });

    it(`rejects a length above ${MAX_ZLIB_LENGTH} before waiting for it`, () => {
      expect(attempt(1, 1, new Bytes().u32(MAX_ZLIB_LENGTH + 1).build())).toMatch(
        /claims 67108865 bytes of compressed data/,
      );
    });
  });
});
