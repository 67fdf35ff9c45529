import { describe, expect, it } from 'vitest';
import { ByteQueue } from '../../../main/rfb/byte-queue.ts';
import type { DecodeContext, Rect } from '../../../main/rfb/encodings/decoder.ts';
import { HextileDecoder } from '../../../main/rfb/encodings/hextile.ts';
import { PixelConverter } from '../../../main/rfb/pixel-converter.ts';
import { LEVEL_FORMATS, type PixelFormat } from '../../../main/rfb/pixel-format.ts';
import { UpdateBuilder } from '../../../main/rfb/update-builder.ts';
import { RfbError } from '../../../shared/rfb-error.ts';
import { Bytes, DecoderHarness, rgba, scale, trueColour } from '../../support/decode-harness.ts';

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
  /** Colour-map formats load their map here. */
  setup?: (h: DecoderHarness) => void;
}

const SENTINEL = 0x5a5a5a5a;

const RGB8: [number, number, number][] = [
  [10, 20, 30],
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
  [200, 150, 100],
  [1, 2, 3],
];
const RGB565: [number, number, number][] = [
  [3, 7, 9],
  [31, 0, 0],
  [0, 63, 0],
  [0, 0, 31],
  [16, 32, 8],
  [1, 1, 1],
];
const RGB332: [number, number, number][] = [
  [1, 2, 1],
  [7, 0, 0],
  [0, 7, 0],
  [0, 0, 3],
  [3, 5, 2],
  [6, 6, 1],
];
const PALETTE_INDEXES = [3, 200, 17, 99, 255, 0];
const paletteEntry = (i: number): [number, number, number] => [i, 255 - i, (i * 7) & 255];

const FORMATS: FormatCase[] = [
  {
    name: '32 bpp little-endian RGBX',
    format: LEVEL_FORMATS.full,
    colours: RGB8.map(([r, g, b]) => ({ bytes: [r, g, b, 0xee], rgba: rgba(r, g, b) })),
  },
  {
    name: '32 bpp little-endian BGRX',
    format: trueColour(32, false, [255, 255, 255], [16, 8, 0]),
    colours: RGB8.map(([r, g, b]) => ({ bytes: [b, g, r, 0], rgba: rgba(r, g, b) })),
  },
  {
    name: '32 bpp big-endian xRGB',
    format: trueColour(32, true, [255, 255, 255], [16, 8, 0]),
    colours: RGB8.map(([r, g, b]) => ({ bytes: [0, r, g, b], rgba: rgba(r, g, b) })),
  },
  {
    name: '16 bpp little-endian rgb565',
    format: LEVEL_FORMATS.rgb565,
    colours: RGB565.map(([r, g, b]) => {
      const v = (r << 11) | (g << 5) | b;
      return { bytes: [v & 0xff, v >> 8], rgba: rgba(scale(r, 31), scale(g, 63), scale(b, 31)) };
    }),
  },
  {
    name: '16 bpp big-endian rgb565',
    format: { ...LEVEL_FORMATS.rgb565, bigEndian: true },
    colours: RGB565.map(([r, g, b]) => {
      const v = (r << 11) | (g << 5) | b;
      return { bytes: [v >> 8, v & 0xff], rgba: rgba(scale(r, 31), scale(g, 63), scale(b, 31)) };
    }),
  },
  {
    name: '8 bpp rgb332',
    format: LEVEL_FORMATS.rgb332,
    colours: RGB332.map(([r, g, b]) => ({
      bytes: [(r << 5) | (g << 2) | b],
      rgba: rgba(scale(r, 7), scale(g, 7), scale(b, 3)),
    })),
  },
  {
    name: '8 bpp colour map',
    format: LEVEL_FORMATS.pal8,
    colours: PALETTE_INDEXES.map((i) => ({ bytes: [i], rgba: rgba(...paletteEntry(i)) })),
    setup: (h) => {
      const map = new Uint16Array(256 * 3);
      for (let i = 0; i < 256; i++) {
        const [r, g, b] = paletteEntry(i);
        map[i * 3] = r * 257;
        map[i * 3 + 1] = g * 257;
        map[i * 3 + 2] = b * 257;
      }
      h.converter.setColourMapEntries(0, map);
    },
  },
];
const FULL = FORMATS[0];

// ---------------------------------------------------------------------------------------------
// Tiles described by what they should look like; `encode` writes the wire bytes (RFC 6143
// §7.7.4) and `paint` draws the expected image, without any code from the decoder.

/** A subrectangle relative to its tile; `c` is its colour index when the tile's subrects are coloured. */
interface Sub {
  x: number;
  y: number;
  w: number;
  h: number;
  c?: number;
}

type Tile =
  | { raw: (x: number, y: number) => number }
  | {
      /** The tile's background colour index, sent unless `sendBg` is false (then it must be carried over). */
      bg: number;
      sendBg?: boolean;
      /** The foreground uncoloured subrects have, sent unless `sendFg` is false. */
      fg?: number;
      sendFg?: boolean;
      subs?: Sub[];
      coloured?: boolean;
      /** Set AnySubrects with a count of zero. */
      emptySubs?: boolean;
    };

function forEachTile(
  rect: Rect,
  tiles: Tile[],
  visit: (tile: Tile, tx: number, ty: number, tw: number, th: number) => void,
) {
  let i = 0;
  for (let ty = 0; ty < rect.height; ty += 16) {
    for (let tx = 0; tx < rect.width; tx += 16) {
      const tile = tiles[i++];
      if (!tile) throw new Error(`test bug: tile ${i - 1} missing`);
      visit(tile, tx, ty, Math.min(16, rect.width - tx), Math.min(16, rect.height - ty));
    }
  }
  if (i !== tiles.length) throw new Error(`test bug: ${tiles.length} tiles given for ${i}`);
}

function encode(fc: FormatCase, rect: Rect, tiles: Tile[]): Uint8Array {
  const b = new Bytes();
  const pixel = (i: number) => b.raw(fc.colours[i].bytes);
  forEachTile(rect, tiles, (tile, _tx, _ty, tw, th) => {
    if ('raw' in tile) {
      b.u8(1);
      for (let y = 0; y < th; y++) for (let x = 0; x < tw; x++) pixel(tile.raw(x, y));
      return;
    }
    const sendBg = tile.sendBg ?? true;
    const sendFg = tile.fg !== undefined && (tile.sendFg ?? true);
    const anySubs = (tile.subs?.length ?? 0) > 0 || tile.emptySubs === true;
    b.u8((sendBg ? 2 : 0) | (sendFg ? 4 : 0) | (anySubs ? 8 : 0) | (tile.coloured ? 16 : 0));
    if (sendBg) pixel(tile.bg);
    if (sendFg) pixel(tile.fg!);
    if (!anySubs) return;
    const subs = tile.subs ?? [];
    b.u8(subs.length);
    for (const s of subs) {
      if (tile.coloured) pixel(s.c!);
      b.u8((s.x << 4) | s.y, ((s.w - 1) << 4) | (s.h - 1));
    }
  });
  return b.build();
}

/** The expected framebuffer: `SENTINEL` everywhere but the rectangle. */
function paint(fc: FormatCase, fbWidth: number, fbHeight: number, rect: Rect, tiles: Tile[]): Uint32Array {
  const img = new Uint32Array(fbWidth * fbHeight).fill(SENTINEL);
  const set = (x: number, y: number, colour: number) => {
    img[(rect.y + y) * fbWidth + rect.x + x] = fc.colours[colour].rgba;
  };
  forEachTile(rect, tiles, (tile, tx, ty, tw, th) => {
    for (let y = 0; y < th; y++) {
      for (let x = 0; x < tw; x++) set(tx + x, ty + y, 'raw' in tile ? tile.raw(x, y) : tile.bg);
    }
    if ('raw' in tile) return;
    for (const s of tile.subs ?? []) {
      if (s.x + s.w > tw || s.y + s.h > th) throw new Error('test bug: subrect outside its tile');
      const colour = tile.coloured ? s.c! : tile.fg!;
      for (let y = s.y; y < s.y + s.h; y++) for (let x = s.x; x < s.x + s.w; x++) set(tx + x, ty + y, colour);
    }
  });
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

/** Describes up to 5 differing pixels, or '' when the images match. */
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

const rect = (x: number, y: number, width: number, height: number): Rect => ({
  x,
  y,
  width,
  height,
  encoding: 5,
});

/** Decodes the tiles whole, byte by byte and in 7-byte chunks; checks all give the expected image and the same ops. */
function check(fc: FormatCase, fbWidth: number, fbHeight: number, r: Rect, tiles: Tile[]): DecoderHarness {
  const bytes = encode(fc, r, tiles);
  const expected = paint(fc, fbWidth, fbHeight, r, tiles);
  const runs = [bytes.length, 1, 7].map((chunk) => {
    const h = harness(fc, fbWidth, fbHeight);
    h.decode(new HextileDecoder(), r, bytes, chunk);
    expect(diff(words(h), expected, fbWidth), `chunk size ${chunk}`).toBe('');
    return h;
  });
  expect(runs[1].ops).toEqual(runs[0].ops);
  expect(runs[2].ops).toEqual(runs[0].ops);
  return runs[0];
}

// A small deterministic generator of tiles a conforming server could send.
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomTiles(r: Rect, colours: number, seed: number): Tile[] {
  const rand = random(seed);
  const pick = (n: number) => Math.floor(rand() * n);
  const tiles: Tile[] = [];
  let bg: number | null = null; // a background the next tile may leave out
  let fg: number | null = null; // likewise the foreground (§7.7.4 limits when either carries over)
  for (let ty = 0; ty < r.height; ty += 16) {
    for (let tx = 0; tx < r.width; tx += 16) {
      const tw = Math.min(16, r.width - tx);
      const th = Math.min(16, r.height - ty);
      if (rand() < 0.2) {
        const seedOfTile = pick(1000);
        tiles.push({ raw: (x, y) => (x * 3 + y * 5 + seedOfTile) % colours });
        bg = null;
        fg = null;
        continue;
      }
      const sendBg = bg === null || rand() < 0.5;
      const tileBg: number = sendBg ? pick(colours) : bg!;
      const mode = rand();
      const subs: Sub[] = [];
      const n = 1 + pick(6);
      const randomSub = (): Sub => {
        const x = pick(tw);
        const y = pick(th);
        return { x, y, w: 1 + pick(tw - x), h: 1 + pick(th - y), c: pick(colours) };
      };
      if (mode < 0.3) {
        tiles.push({ bg: tileBg, sendBg });
      } else if (mode < 0.35) {
        tiles.push({ bg: tileBg, sendBg, emptySubs: true });
      } else if (mode < 0.7) {
        const sendFg = fg === null || rand() < 0.5;
        const tileFg: number = sendFg ? pick(colours) : fg!;
        for (let i = 0; i < n; i++) subs.push(randomSub());
        tiles.push({ bg: tileBg, sendBg, fg: tileFg, sendFg, subs });
        fg = tileFg;
      } else {
        for (let i = 0; i < n; i++) subs.push(randomSub());
        tiles.push({ bg: tileBg, sendBg, subs, coloured: true });
        fg = null;
      }
      bg = tileBg;
    }
  }
  return tiles;
}

/** A DecodeContext over a queue the test feeds itself. */
function context(format: PixelFormat) {
  const queue = new ByteQueue(16);
  const out = new UpdateBuilder(() => {});
  const ctx: DecodeContext = {
    queue,
    pixels: new PixelConverter(format),
    out,
    width: 64,
    height: 64,
    zlib: () => {
      throw new Error('Hextile needs no zlib stream');
    },
  };
  return { queue, ctx };
}

// ---------------------------------------------------------------------------------------------

describe('HextileDecoder', () => {
  describe.each(FORMATS)('$name', (fc) => {
    const c = (i: number) => fc.colours[i].rgba;

    it('decodes a 17x33 rectangle: edge tiles, carried-over colours, subrects at far edges, raw', () => {
      const r = rect(3, 2, 17, 33);
      const tiles: Tile[] = [
        // Row 0: a 16x16 and a 1x16 tile.
        {
          bg: 0,
          fg: 1,
          subs: [
            { x: 0, y: 0, w: 16, h: 1 },
            { x: 15, y: 15, w: 1, h: 1 },
            { x: 4, y: 5, w: 3, h: 2 },
          ],
        },
        {
          bg: 2,
          coloured: true,
          subs: [
            { x: 0, y: 15, w: 1, h: 1, c: 3 },
            { x: 0, y: 3, w: 1, h: 2, c: 4 },
          ],
        },
        // Row 1: background carried over from the tile before.
        {
          bg: 2,
          sendBg: false,
          fg: 5,
          subs: [
            { x: 15, y: 0, w: 1, h: 16 },
            { x: 0, y: 15, w: 16, h: 1 },
          ],
        },
        { bg: 2, sendBg: false },
        // Row 2: a 16x1 tile whose foreground comes from two tiles back, then a raw 1x1 tile.
        {
          bg: 0,
          fg: 5,
          sendFg: false,
          subs: [
            { x: 15, y: 0, w: 1, h: 1 },
            { x: 2, y: 0, w: 4, h: 1 },
          ],
        },
        { raw: () => 3 },
      ];
      const h = check(fc, 24, 40, r, tiles);
      // A few pixels spelled out, independent of `paint`.
      expect(h.pixel(3, 2)).toBe(c(1));
      expect(h.pixel(3, 3)).toBe(c(0));
      expect(h.pixel(3 + 15, 2 + 15)).toBe(c(1));
      expect(h.pixel(3 + 16, 2 + 15)).toBe(c(3));
      expect(h.pixel(3 + 16, 2 + 4)).toBe(c(4));
      expect(h.pixel(3 + 16, 2 + 16)).toBe(c(2));
      expect(h.pixel(3 + 14, 2 + 20)).toBe(c(2));
      expect(h.pixel(3 + 15, 2 + 20)).toBe(c(5));
      expect(h.pixel(3 + 15, 2 + 32)).toBe(c(5));
      expect(h.pixel(3 + 14, 2 + 32)).toBe(c(0));
      expect(h.pixel(3 + 16, 2 + 32)).toBe(c(3));
      expect(h.pixel(2, 2)).toBe(SENTINEL);
      expect(h.pixel(20, 34)).toBe(SENTINEL);
      expect(h.ops).toEqual([{ kind: 'pixels', x: 3, y: 2, width: 17, height: 33, offset: 0 }]);
    });

    it('decodes a raw 1x1 rectangle', () => {
      const h = check(fc, 4, 4, rect(2, 1, 1, 1), [{ raw: () => 4 }]);
      expect(h.pixel(2, 1)).toBe(c(4));
      expect(h.pixel(1, 1)).toBe(SENTINEL);
      expect(h.ops).toEqual([{ kind: 'pixels', x: 2, y: 1, width: 1, height: 1, offset: 0 }]);
    });

    it('decodes a raw 16x16 tile and a raw edge tile row by row', () => {
      const raw = (x: number, y: number) => (x + 2 * y) % 6;
      check(fc, 40, 20, rect(5, 3, 33, 16), [{ raw }, { raw }, { raw }]);
    });

    it.each([
      [1, 1],
      [16, 16],
      [33, 16],
      [17, 33],
      [50, 37],
      [16, 48],
    ])('decodes generated tiles in a %ix%i rectangle', (w, hgt) => {
      const r = rect(7, 5, w, hgt);
      for (let seed = 1; seed <= 4; seed++) {
        check(fc, w + 9, hgt + 8, r, randomTiles(r, fc.colours.length, seed * 7919 + w * hgt));
      }
    });

    it('turns a rectangle of background-only tiles of one colour into a fill', () => {
      const r = rect(4, 6, 33, 17);
      const h = check(fc, 40, 30, r, [
        { bg: 4 },
        { bg: 4, sendBg: false },
        { bg: 4, emptySubs: true },
        { bg: 4 },
        { bg: 4, sendBg: false },
        { bg: 4, sendBg: false },
      ]);
      expect(h.ops).toEqual([{ kind: 'fill', x: 4, y: 6, width: 33, height: 17, colour: c(4) }]);
    });
  });

  describe('tiles that break a run of one background colour', () => {
    // 50x40 at 3,4: 4 columns (16, 16, 16, 2) by 3 rows (16, 16, 8) of tiles.
    const r = rect(3, 4, 50, 40);
    const breakers: [string, Tile][] = [
      ['a raw tile', { raw: (x, y) => (x ^ y) % 6 }],
      ['a tile with subrects', { bg: 1, fg: 2, subs: [{ x: 1, y: 1, w: 1, h: 1 }] }],
      [
        'a tile with coloured subrects in the background colour',
        { bg: 1, coloured: true, subs: [{ x: 0, y: 0, w: 2, h: 2, c: 1 }] },
      ],
      ['a different background', { bg: 3 }],
    ];
    for (const [what, breaker] of breakers) {
      it.each([0, 1, 3, 4, 6, 8, 11])(`paints the tiles before ${what} at tile %i`, (at) => {
        const tiles: Tile[] = [];
        for (let i = 0; i < 12; i++)
          tiles.push(i === at ? breaker : { bg: 1, sendBg: i === 0 || i === at + 1 });
        const h = check(FULL, 60, 50, r, tiles);
        expect(h.ops).toEqual([{ kind: 'pixels', x: 3, y: 4, width: 50, height: 40, offset: 0 }]);
      });
    }
  });

  it('ignores the other mask bits of a raw tile', () => {
    const h = harness(FULL, 2, 2);
    const bytes = new Bytes()
      .u8(1 | 2 | 4 | 8 | 16)
      .raw([1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0, 10, 11, 12, 0])
      .build();
    h.decode(new HextileDecoder(), rect(0, 0, 2, 2), bytes, 1);
    expect([h.pixel(0, 0), h.pixel(1, 0), h.pixel(0, 1), h.pixel(1, 1)]).toEqual([
      rgba(1, 2, 3),
      rgba(4, 5, 6),
      rgba(7, 8, 9),
      rgba(10, 11, 12),
    ]);
  });

  it('reads a hand-written two-tile vector in 16 bpp big-endian', () => {
    // 18x2 rect: tile 0 is 16x2, tile 1 is 2x2.
    const fc = FORMATS.find((f) => f.name === '16 bpp big-endian rgb565')!;
    const bytes = new Bytes()
      // Tile 0: BackgroundSpecified | ForegroundSpecified | AnySubrects; bg red, fg blue; one subrect 2x1 at 14,1.
      .u8(2 | 4 | 8)
      .u16(0xf800)
      .u16(0x001f)
      .u8(1, (14 << 4) | 1, (1 << 4) | 0)
      // Tile 1: AnySubrects | SubrectsColoured, bg carried over; one green 1x2 subrect at 1,0.
      .u8(8 | 16, 1)
      .u16(0x07e0)
      .u8((1 << 4) | 0, (0 << 4) | 1)
      .build();
    const h = harness(fc, 18, 2);
    h.decode(new HextileDecoder(), rect(0, 0, 18, 2), bytes);
    const red = rgba(255, 0, 0);
    const blue = rgba(0, 0, 255);
    const green = rgba(0, 255, 0);
    const row0 = Array.from({ length: 18 }, (_, x) => h.pixel(x, 0));
    const row1 = Array.from({ length: 18 }, (_, x) => h.pixel(x, 1));
    expect(row0).toEqual([...Array(17).fill(red), green]);
    expect(row1).toEqual([...Array(14).fill(red), blue, blue, red, green]);
  });

  describe('rejects a subrectangle outside its tile', () => {
    const cases: [string, Rect, number, number][] = [
      ['past the right edge of a 16x16 tile', rect(0, 0, 16, 16), (15 << 4) | 0, (1 << 4) | 0],
      ['past the bottom edge of a 16x16 tile', rect(0, 0, 16, 16), (0 << 4) | 14, (0 << 4) | 2],
      ['wider than a 1-pixel-wide edge tile', rect(0, 0, 1, 16), (0 << 4) | 0, (1 << 4) | 0],
      ['right of a 1-pixel-wide edge tile', rect(0, 0, 1, 16), (1 << 4) | 0, (0 << 4) | 0],
      ['below a 5-pixel-high edge tile', rect(0, 0, 16, 5), (0 << 4) | 4, (0 << 4) | 1],
    ];
    it.each(cases)('%s', (_what, r, xy, wh) => {
      const bytes = new Bytes()
        .u8(2 | 4 | 8)
        .raw([1, 2, 3, 0, 4, 5, 6, 0])
        .u8(1, xy, wh)
        .build();
      for (const chunk of [bytes.length, 1]) {
        const h = harness(FULL, 16, 16);
        let error: unknown;
        try {
          h.decode(new HextileDecoder(), r, bytes, chunk);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(RfbError);
        expect((error as RfbError).kind).toBe('protocol');
        expect((error as RfbError).message).toMatch(/Hextile subrectangle .* outside its \d+x\d+ tile/);
      }
    });

    it('accepts a subrectangle that ends exactly at the far corner of an edge tile', () => {
      const bytes = new Bytes()
        .u8(2 | 4 | 8)
        .raw([1, 2, 3, 0, 4, 5, 6, 0])
        .u8(1, (2 << 4) | 3, (0 << 4) | 1)
        .build();
      const h = harness(FULL, 3, 5);
      h.decode(new HextileDecoder(), rect(0, 0, 3, 5), bytes);
      expect(h.pixel(2, 4)).toBe(rgba(4, 5, 6));
      expect(h.pixel(2, 3)).toBe(rgba(4, 5, 6));
      expect(h.pixel(2, 2)).toBe(rgba(1, 2, 3));
    });
  });

  it('consumes nothing of a tile until all of it has arrived', () => {
    const { queue, ctx } = context(LEVEL_FORMATS.rgb332);
    const r = rect(0, 0, 32, 16);
    // Tile 0: bg + 2 coloured subrects (1 + 1 + 1 + 2 * 3 bytes); tile 1: raw 16x16 (1 + 256 bytes).
    const tile0 = new Bytes().u8(2 | 8 | 16, 0x11, 2, 0xe0, 0x00, 0x00, 0x1c, 0xff, 0x00).build();
    const tile1 = new Bytes().u8(1).raw(new Uint8Array(256).fill(0x03)).build();
    const decoder = new HextileDecoder();
    const feed = (bytes: Uint8Array) => {
      queue.push(bytes);
      return decoder.decode(r, ctx);
    };
    expect(feed(tile0.subarray(0, 2))).toBe(false); // mask and background, but not the count
    expect(queue.length).toBe(2);
    expect(feed(tile0.subarray(2, 8))).toBe(false); // one byte short
    expect(queue.length).toBe(8);
    expect(feed(tile0.subarray(8))).toBe(false);
    expect(queue.length).toBe(0);
    expect(feed(tile1.subarray(0, 200))).toBe(false);
    expect(queue.length).toBe(200);
    expect(feed(tile1.subarray(200))).toBe(true);
    expect(queue.length).toBe(0);
  });

  it('serves one rectangle after another with one instance, starting each afresh', () => {
    const h = harness(FULL, 40, 40);
    const decoder = new HextileDecoder();
    const a = rect(1, 1, 20, 18);
    const tilesA = randomTiles(a, 6, 42);
    h.decode(decoder, a, encode(FULL, a, tilesA), 3);
    const b = rect(10, 12, 17, 20);
    const tilesB = randomTiles(b, 6, 43);
    h.decode(decoder, b, encode(FULL, b, tilesB), 1);
    const expected = paint(FULL, 40, 40, a, tilesA);
    const overB = paint(FULL, 40, 40, b, tilesB);
    for (let i = 0; i < expected.length; i++) if (overB[i] !== SENTINEL) expected[i] = overB[i];
    expect(diff(words(h), expected, 40)).toBe('');
  });

  it('leaves the last coloured subrectangle as the foreground, as TigerVNC does', () => {
    // Off-spec (§7.7.4 says the foreground may not carry over such a tile), but what a broken server expects.
    const tiles: Tile[] = [
      {
        bg: 0,
        coloured: true,
        subs: [
          { x: 0, y: 0, w: 1, h: 1, c: 1 },
          { x: 1, y: 0, w: 1, h: 1, c: 2 },
        ],
      },
      { bg: 0, sendBg: false, fg: 2, sendFg: false, subs: [{ x: 3, y: 0, w: 1, h: 1 }] },
    ];
    const h = check(FULL, 32, 2, rect(0, 0, 32, 2), tiles);
    expect(h.pixel(16 + 3, 0)).toBe(FULL.colours[2].rgba);
  });

  it('does not carry a background over from the previous rectangle', () => {
    const h = harness(FULL, 4, 2);
    const decoder = new HextileDecoder();
    h.decode(decoder, rect(0, 0, 4, 1), new Bytes().u8(2, 9, 9, 9, 0).build());
    // Malformed: the first non-raw tile must specify its background; it gets opaque black.
    h.decode(decoder, rect(0, 1, 4, 1), new Bytes().u8(0).build());
    expect(h.pixel(0, 0)).toBe(rgba(9, 9, 9));
    expect(h.pixel(0, 1)).toBe(rgba(0, 0, 0));
  });

  it('needs no bytes for an empty rectangle', () => {
    const h = harness(FULL, 4, 4);
    h.decode(new HextileDecoder(), rect(1, 1, 0, 3), new Uint8Array(0));
    expect(h.ops).toEqual([]);
  });
});
