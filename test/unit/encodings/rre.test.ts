import { describe, expect, it } from 'vitest';
import { ByteQueue } from '../../../main/rfb/byte-queue.ts';
import type { DecodeContext, Decoder, Rect } from '../../../main/rfb/encodings/decoder.ts';
import { CoRreDecoder, RreDecoder } from '../../../main/rfb/encodings/rre.ts';
import { PixelConverter } from '../../../main/rfb/pixel-converter.ts';
import { LEVEL_FORMATS, type PixelFormat } from '../../../main/rfb/pixel-format.ts';
import { UpdateBuilder } from '../../../main/rfb/update-builder.ts';
import { RfbError } from '../../../shared/rfb-error.ts';
import { Bytes, DecoderHarness } from '../../support/decode-harness.ts';

// ---------------------------------------------------------------------------------------------
// Pixel formats, each with a few colours written out as wire bytes and the RGBA word they mean.

interface Colour {
  bytes: number[];
  rgba: number;
}

interface FormatCase {
  name: string;
  format: PixelFormat;
  colours: Colour[];
  setup?: (h: DecoderHarness) => void;
}

const rgba = (r: number, g: number, b: number) => (r | (g << 8) | (b << 16) | 0xff000000) >>> 0;
const scale = (v: number, max: number) => Math.round((v * 255) / max);
const SENTINEL = 0x5a5a5a5a;

const FORMATS: FormatCase[] = [
  {
    name: '32 bpp little-endian RGBX',
    format: LEVEL_FORMATS.full,
    colours: [
      [10, 20, 30],
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [200, 150, 100],
    ].map(([r, g, b]) => ({ bytes: [r, g, b, 0x77], rgba: rgba(r, g, b) })),
  },
  {
    name: '32 bpp big-endian xRGB',
    format: { ...LEVEL_FORMATS.full, bigEndian: true, redShift: 16, greenShift: 8, blueShift: 0 },
    colours: [
      [10, 20, 30],
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [200, 150, 100],
    ].map(([r, g, b]) => ({ bytes: [0, r, g, b], rgba: rgba(r, g, b) })),
  },
  {
    name: '16 bpp big-endian rgb565',
    format: { ...LEVEL_FORMATS.rgb565, bigEndian: true },
    colours: [
      [3, 7, 9],
      [31, 0, 0],
      [0, 63, 0],
      [0, 0, 31],
      [16, 32, 8],
    ].map(([r, g, b]) => {
      const v = (r << 11) | (g << 5) | b;
      return { bytes: [v >> 8, v & 0xff], rgba: rgba(scale(r, 31), scale(g, 63), scale(b, 31)) };
    }),
  },
  {
    name: '16 bpp little-endian rgb565',
    format: LEVEL_FORMATS.rgb565,
    colours: [
      [3, 7, 9],
      [31, 0, 0],
      [0, 63, 0],
      [0, 0, 31],
      [16, 32, 8],
    ].map(([r, g, b]) => {
      const v = (r << 11) | (g << 5) | b;
      return { bytes: [v & 0xff, v >> 8], rgba: rgba(scale(r, 31), scale(g, 63), scale(b, 31)) };
    }),
  },
  {
    name: '8 bpp rgb332',
    format: LEVEL_FORMATS.rgb332,
    colours: [
      [1, 2, 1],
      [7, 0, 0],
      [0, 7, 0],
      [0, 0, 3],
      [3, 5, 2],
    ].map(([r, g, b]) => ({
      bytes: [(r << 5) | (g << 2) | b],
      rgba: rgba(scale(r, 7), scale(g, 7), scale(b, 3)),
    })),
  },
  {
    name: '8 bpp colour map',
    format: LEVEL_FORMATS.pal8,
    colours: [4, 250, 33, 128, 0].map((i) => ({ bytes: [i], rgba: rgba(i, 255 - i, (i * 3) & 255) })),
    setup: (h) => {
      const map = new Uint16Array(256 * 3);
      for (let i = 0; i < 256; i++) map.set([i * 257, (255 - i) * 257, ((i * 3) & 255) * 257], i * 3);
      h.converter.setColourMapEntries(0, map);
    },
  },
];
const FULL = FORMATS[0];

// ---------------------------------------------------------------------------------------------

interface Variant {
  name: string;
  make: () => Decoder;
  /** Writes one subrectangle coordinate. */
  coord: (b: Bytes, v: number) => void;
  encoding: number;
}

const VARIANTS: Variant[] = [
  { name: 'RRE', make: () => new RreDecoder(), coord: (b, v) => b.u16(v), encoding: 2 },
  { name: 'CoRRE', make: () => new CoRreDecoder(), coord: (b, v) => b.u8(v), encoding: 4 },
];

interface Sub {
  c: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** §7.7.3: u32 count, background PIXEL, then per subrect a PIXEL and x, y, w, h. */
function encode(v: Variant, fc: FormatCase, bg: number, subs: Sub[], count = subs.length): Uint8Array {
  const b = new Bytes().u32(count).raw(fc.colours[bg].bytes);
  for (const s of subs) {
    b.raw(fc.colours[s.c].bytes);
    for (const n of [s.x, s.y, s.w, s.h]) v.coord(b, n);
  }
  return b.build();
}

function paint(
  fc: FormatCase,
  fbWidth: number,
  fbHeight: number,
  r: Rect,
  bg: number,
  subs: Sub[],
): Uint32Array {
  const img = new Uint32Array(fbWidth * fbHeight).fill(SENTINEL);
  const fill = (x0: number, y0: number, w: number, h: number, colour: number) => {
    for (let y = y0; y < y0 + h; y++) {
      for (let x = x0; x < x0 + w; x++) img[(r.y + y) * fbWidth + r.x + x] = fc.colours[colour].rgba;
    }
  };
  fill(0, 0, r.width, r.height, bg);
  for (const s of subs) fill(s.x, s.y, s.w, s.h, s.c);
  return img;
}

function harness(fc: FormatCase, fbWidth: number, fbHeight: number): DecoderHarness {
  const h = new DecoderHarness(fc.format, fbWidth, fbHeight);
  fc.setup?.(h);
  h.fb.data.fill(0x5a);
  return h;
}

function words(h: DecoderHarness): Uint32Array {
  return new Uint32Array(h.fb.data.buffer.slice(0));
}

function diff(actual: Uint32Array, expected: Uint32Array, width: number): string {
  const lines: string[] = [];
  const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
  for (let i = 0; i < expected.length && lines.length < 5; i++) {
    if (actual[i] !== expected[i]) {
      lines.push(`(${i % width},${Math.floor(i / width)}): got ${hex(actual[i])}, want ${hex(expected[i])}`);
    }
  }
  return lines.join('\n');
}

/** Decodes whole, byte by byte and in 5-byte chunks; checks all give the expected image and the same ops. */
function check(
  v: Variant,
  fc: FormatCase,
  fbWidth: number,
  fbHeight: number,
  r: Rect,
  bg: number,
  subs: Sub[],
) {
  const bytes = encode(v, fc, bg, subs);
  const expected = paint(fc, fbWidth, fbHeight, r, bg, subs);
  const runs = [bytes.length, 1, 5].map((chunk) => {
    const h = harness(fc, fbWidth, fbHeight);
    h.decode(v.make(), r, bytes, chunk);
    expect(diff(words(h), expected, fbWidth), `chunk size ${chunk}`).toBe('');
    return h;
  });
  expect(runs[1].ops).toEqual(runs[0].ops);
  expect(runs[2].ops).toEqual(runs[0].ops);
  return runs[0];
}

function randomSubs(r: Rect, colours: number, count: number, seed: number): Sub[] {
  let s = seed;
  const pick = (n: number) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % n;
  };
  const subs: Sub[] = [];
  for (let i = 0; i < count; i++) {
    const x = pick(r.width);
    const y = pick(r.height);
    subs.push({ c: pick(colours), x, y, w: 1 + pick(r.width - x), h: 1 + pick(r.height - y) });
  }
  return subs;
}

function context(format: PixelFormat) {
  const queue = new ByteQueue(16);
  const ctx: DecodeContext = {
    queue,
    pixels: new PixelConverter(format),
    out: new UpdateBuilder(() => {}),
    width: 300,
    height: 300,
    zlib: () => {
      throw new Error('RRE needs no zlib stream');
    },
  };
  return { queue, ctx };
}

// ---------------------------------------------------------------------------------------------

describe.each(VARIANTS)('$name', (v) => {
  const rect = (x: number, y: number, width: number, height: number): Rect => ({
    x,
    y,
    width,
    height,
    encoding: v.encoding,
  });

  describe.each(FORMATS)('$name', (fc) => {
    const c = (i: number) => fc.colours[i].rgba;

    it('paints the background and subrectangles, in order, up to the far edges', () => {
      const r = rect(4, 3, 10, 6);
      const subs: Sub[] = [
        { c: 1, x: 0, y: 0, w: 10, h: 1 },
        { c: 2, x: 9, y: 5, w: 1, h: 1 },
        { c: 3, x: 2, y: 2, w: 3, h: 2 },
        { c: 4, x: 3, y: 0, w: 1, h: 6 },
        { c: 0, x: 0, y: 0, w: 1, h: 1 }, // the background colour, painted back over subrect 1
      ];
      const h = check(v, fc, 20, 12, r, 0, subs);
      expect(h.pixel(4, 3)).toBe(c(0));
      expect(h.pixel(5, 3)).toBe(c(1));
      expect(h.pixel(7, 3)).toBe(c(4));
      expect(h.pixel(13, 8)).toBe(c(2));
      expect(h.pixel(12, 8)).toBe(c(0));
      expect(h.pixel(6, 5)).toBe(c(3));
      expect(h.pixel(7, 5)).toBe(c(4));
      expect(h.pixel(3, 3)).toBe(SENTINEL);
      expect(h.pixel(14, 8)).toBe(SENTINEL);
      expect(h.pixel(13, 9)).toBe(SENTINEL);
      expect(h.ops).toEqual([{ kind: 'pixels', x: 4, y: 3, width: 10, height: 6, offset: 0 }]);
    });

    it('decodes many generated subrectangles', () => {
      const r = rect(7, 2, 61, 45);
      for (const seed of [1, 2, 3]) check(v, fc, 70, 50, r, seed % 5, randomSubs(r, 5, 40, seed));
    });

    it('turns a rectangle without subrectangles into a fill', () => {
      const h = check(v, fc, 10, 10, rect(1, 2, 7, 5), 3, []);
      expect(h.ops).toEqual([{ kind: 'fill', x: 1, y: 2, width: 7, height: 5, colour: c(3) }]);
    });

    it('turns a rectangle whose subrectangles all have the background colour into a fill', () => {
      const subs: Sub[] = [
        { c: 2, x: 0, y: 0, w: 3, h: 3 },
        { c: 2, x: 6, y: 4, w: 1, h: 1 },
      ];
      const h = check(v, fc, 10, 10, rect(1, 2, 7, 5), 2, subs);
      expect(h.ops).toEqual([{ kind: 'fill', x: 1, y: 2, width: 7, height: 5, colour: c(2) }]);
    });

    it('paints the background under a subrectangle that follows some in the background colour', () => {
      const subs: Sub[] = [
        { c: 2, x: 0, y: 0, w: 7, h: 5 },
        { c: 2, x: 1, y: 1, w: 1, h: 1 },
        { c: 1, x: 5, y: 3, w: 2, h: 2 },
      ];
      const h = check(v, fc, 10, 10, rect(1, 2, 7, 5), 2, subs);
      expect(h.pixel(1, 2)).toBe(c(2));
      expect(h.pixel(6, 5)).toBe(c(1));
      expect(h.ops).toEqual([{ kind: 'pixels', x: 1, y: 2, width: 7, height: 5, offset: 0 }]);
    });
  });

  it('reads subrectangle coordinates of the right size', () => {
    // One 2x1 subrect at 3,1 in a 6x3 rect, written out byte by byte.
    const coords = v.name === 'RRE' ? [0, 3, 0, 1, 0, 2, 0, 1] : [3, 1, 2, 1];
    const bytes = new Bytes()
      .u32(1)
      .u8(1, 1, 1, 0)
      .u8(9, 9, 9, 0)
      .u8(...coords)
      .build();
    const h = harness(FULL, 6, 3);
    h.decode(v.make(), rect(0, 0, 6, 3), bytes);
    const grey = rgba(1, 1, 1);
    const nine = rgba(9, 9, 9);
    const image = Array.from({ length: 18 }, (_, i) => h.pixel(i % 6, Math.floor(i / 6)));
    expect(image).toEqual([...Array(9).fill(grey), nine, nine, ...Array(7).fill(grey)]);
  });

  describe('rejects a subrectangle outside the rectangle', () => {
    const cases: [string, Sub][] = [
      ['one pixel too wide', { c: 1, x: 2, y: 0, w: 9, h: 1 }],
      ['one pixel too high', { c: 1, x: 0, y: 4, w: 1, h: 3 }],
      ['starting right of it', { c: 1, x: 10, y: 0, w: 1, h: 1 }],
      ['starting below it', { c: 1, x: 0, y: 6, w: 1, h: 1 }],
      ['far away', { c: 1, x: 255, y: 255, w: 255, h: 255 }],
    ];
    it.each(cases)('%s', (_what, sub) => {
      const bytes = encode(v, FULL, 0, [{ c: 2, x: 0, y: 0, w: 10, h: 6 }, sub]);
      for (const chunk of [bytes.length, 1]) {
        const h = harness(FULL, 20, 20);
        let error: unknown;
        try {
          h.decode(v.make(), rect(5, 5, 10, 6), bytes, chunk);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(RfbError);
        expect((error as RfbError).kind).toBe('protocol');
        expect((error as RfbError).message).toMatch(
          new RegExp(`^${v.name} subrectangle .* outside the 10x6 rectangle`),
        );
      }
    });
  });

  it('decodes subrectangles as they arrive rather than waiting for all of them', () => {
    const { queue, ctx } = context(LEVEL_FORMATS.full);
    const decoder = v.make();
    const r = rect(0, 0, 200, 200);
    const header = new Bytes().u32(0xffffffff).u8(1, 2, 3, 0).build();
    const sub = encode(v, FULL, 0, [{ c: 1, x: 5, y: 6, w: 7, h: 8 }]).subarray(8);
    queue.push(header.subarray(0, 5));
    expect(decoder.decode(r, ctx)).toBe(false);
    expect(queue.length).toBe(5);
    queue.push(header.subarray(5));
    for (let i = 0; i < 3; i++) queue.push(sub);
    queue.push(sub.subarray(0, sub.length - 1));
    expect(decoder.decode(r, ctx)).toBe(false);
    expect(queue.length).toBe(sub.length - 1);
    queue.push(sub.subarray(sub.length - 1));
    expect(decoder.decode(r, ctx)).toBe(false);
    expect(queue.length).toBe(0);
  });

  it('serves one rectangle after another with one instance', () => {
    const h = harness(FULL, 30, 30);
    const decoder = v.make();
    const a = rect(0, 0, 20, 20);
    const subsA = randomSubs(a, 5, 10, 7);
    const b = rect(10, 10, 15, 12);
    const subsB = randomSubs(b, 5, 10, 8);
    h.decode(decoder, a, encode(v, FULL, 1, subsA), 3);
    h.decode(decoder, rect(3, 3, 5, 5), encode(v, FULL, 4, []), 1);
    h.decode(decoder, rect(2, 2, 0, 0), encode(v, FULL, 4, []));
    h.decode(decoder, b, encode(v, FULL, 2, subsB), 1);
    const expected = paint(FULL, 30, 30, a, 1, subsA);
    const layers = [paint(FULL, 30, 30, rect(3, 3, 5, 5), 4, []), paint(FULL, 30, 30, b, 2, subsB)];
    for (const layer of layers)
      for (let i = 0; i < expected.length; i++) if (layer[i] !== SENTINEL) expected[i] = layer[i];
    expect(diff(words(h), expected, 30)).toBe('');
  });
});

describe('RreDecoder', () => {
  it('reads u16 coordinates above 255', () => {
    const r: Rect = { x: 1, y: 2, width: 300, height: 270, encoding: 2 };
    const subs: Sub[] = [
      { c: 1, x: 257, y: 258, w: 43, h: 12 },
      { c: 2, x: 299, y: 0, w: 1, h: 270 },
      { c: 3, x: 0, y: 269, w: 300, h: 1 },
    ];
    const h = check(VARIANTS[0], FULL, 302, 273, r, 0, subs);
    expect(h.pixel(1 + 257, 2 + 258)).toBe(FULL.colours[1].rgba);
    expect(h.pixel(1 + 256, 2 + 258)).toBe(FULL.colours[0].rgba);
    expect(h.pixel(1 + 299, 2 + 3)).toBe(FULL.colours[2].rgba);
    expect(h.pixel(1 + 5, 2 + 269)).toBe(FULL.colours[3].rgba);
  });
});
