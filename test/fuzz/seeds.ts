import { Encoding } from '../../main/rfb/constants.ts';
import { PixelConverter } from '../../main/rfb/pixel-converter.ts';
import { LEVEL_FORMATS, type PixelFormat } from '../../main/rfb/pixel-format.ts';
import type { SessionOptions } from '../../main/rfb/session.ts';
import type { ColourLevel } from '../../shared/colour-level.ts';
import { Bytes, ServerDeflater } from '../support/decode-harness.ts';
import { rectHeader, SERVER_FORMAT, serverInit } from '../support/scripted-server.ts';
import { Prng } from './prng.ts';

/** A clean server-to-client stream (from ProtocolVersion on) and how the viewer was set up for it. */
export interface Seed {
  name: string;
  bytes: Uint8Array;
  options: SessionOptions;
}

export type Version = '3.3' | '3.7' | '3.8';
export type Security = 'none' | 'vnc';

export const PASSWORD = 'fuzz';
const text = (s: string) => new TextEncoder().encode(s);

/** ProtocolVersion through SecurityResult, RFC 6143 §7.1–7.2, as a server sends it. */
export function handshake(version: Version, security: Security): Bytes {
  const b = new Bytes().raw(text(`RFB 003.00${version.at(-1)}\n`));
  const type = security === 'none' ? 1 : 2;
  if (version === '3.3') b.u32(type);
  else b.u8(1, type);
  if (security === 'vnc') b.raw(new Prng(7).bytes(16));
  if (version === '3.8' || security === 'vnc') b.u32(0);
  return b;
}

/**
 * Writes the messages of one connection in a given pixel format, with random but valid pixels.
 * `corruptInflated`, if given, damages Zlib and ZRLE data before it is compressed: the only way
 * to reach the tile decoder with bad tiles, since damage to compressed bytes stops at inflate.
 */
export class MessageWriter {
  readonly b: Bytes;
  readonly bpp: number;
  readonly bpc: number;
  private readonly rnd: Prng;
  private readonly zlib = new ServerDeflater();
  private readonly zrle = new ServerDeflater();
  /** TRLE's palette lives as long as the connection (subencodings 127 and 129 reuse it). */
  private trlePalette = 0;

  constructor(
    b: Bytes,
    format: PixelFormat,
    rnd: Prng,
    private readonly corruptInflated: (data: Uint8Array) => Uint8Array = (data) => data,
  ) {
    this.b = b;
    this.rnd = rnd;
    const px = new PixelConverter(format);
    this.bpp = px.bytesPerPixel;
    this.bpc = px.bytesPerCPixel;
  }

  private pixels(n: number, size = this.bpp): Uint8Array {
    return this.rnd.bytes(n * size);
  }

  update(rects: number): this {
    this.b.u8(0, 0).u16(rects);
    return this;
  }

  raw(x: number, y: number, w: number, h: number): this {
    rectHeader(this.b, x, y, w, h, Encoding.Raw).raw(this.pixels(w * h));
    return this;
  }

  copyRect(x: number, y: number, w: number, h: number, sx: number, sy: number): this {
    rectHeader(this.b, x, y, w, h, Encoding.CopyRect).u16(sx).u16(sy);
    return this;
  }

  rre(x: number, y: number, w: number, h: number, compact: boolean): this {
    const n = 4;
    rectHeader(this.b, x, y, w, h, compact ? Encoding.CoRRE : Encoding.RRE)
      .u32(n)
      .raw(this.pixels(1));
    for (let i = 0; i < n; i++) {
      const sw = this.rnd.range(1, w);
      const sh = this.rnd.range(1, h);
      const coords = [this.rnd.range(0, w - sw), this.rnd.range(0, h - sh), sw, sh];
      this.b.raw(this.pixels(1));
      for (const c of coords) compact ? this.b.u8(c) : this.b.u16(c);
    }
    return this;
  }

  /** Hextile with every kind of tile in turn: raw, background, subrectangles plain and coloured. */
  hextile(x: number, y: number, w: number, h: number): this {
    rectHeader(this.b, x, y, w, h, Encoding.Hextile);
    const masks = [0x02, 0x01, 0x0e, 0x1a, 0x00, 0x0c, 0x08, 0x06];
    let k = 0;
    for (let ty = 0; ty < h; ty += 16) {
      for (let tx = 0; tx < w; tx += 16) {
        const tw = Math.min(16, w - tx);
        const th = Math.min(16, h - ty);
        const mask = masks[k++ % masks.length];
        this.b.u8(mask);
        if (mask & 1) {
          this.b.raw(this.pixels(tw * th));
          continue;
        }
        if (mask & 2) this.b.raw(this.pixels(1));
        if (mask & 4) this.b.raw(this.pixels(1));
        if (mask & 8) {
          const n = this.rnd.range(1, 5);
          this.b.u8(n);
          for (let i = 0; i < n; i++) {
            if (mask & 16) this.b.raw(this.pixels(1));
            const sw = this.rnd.range(1, tw);
            const sh = this.rnd.range(1, th);
            this.b.u8((this.rnd.range(0, tw - sw) << 4) | this.rnd.range(0, th - sh));
            this.b.u8(((sw - 1) << 4) | (sh - 1));
          }
        }
      }
    }
    return this;
  }

  zlibRect(x: number, y: number, w: number, h: number): this {
    const data = this.corruptInflated(this.pixels(w * h));
    rectHeader(this.b, x, y, w, h, Encoding.Zlib).raw(this.zlib.message(data));
    return this;
  }

  trle(x: number, y: number, w: number, h: number, subs: number[]): this {
    rectHeader(this.b, x, y, w, h, Encoding.TRLE).raw(this.tiles(w, h, 16, subs, true).build());
    return this;
  }

  zrleRect(x: number, y: number, w: number, h: number, subs: number[]): this {
    const tiles = this.corruptInflated(this.tiles(w, h, 64, subs, false).build());
    rectHeader(this.b, x, y, w, h, Encoding.ZRLE).raw(this.zrle.message(tiles));
    return this;
  }

  /** TRLE/ZRLE tiles (RFC 6143 §7.7.5), cycling through `subs`. */
  private tiles(w: number, h: number, size: number, subs: number[], trle: boolean): Bytes {
    const out = new Bytes();
    let k = 0;
    for (let ty = 0; ty < h; ty += size) {
      for (let tx = 0; tx < w; tx += size) {
        this.tile(out, Math.min(size, w - tx), Math.min(size, h - ty), subs[k++ % subs.length], trle);
      }
    }
    return out;
  }

  private tile(out: Bytes, tw: number, th: number, sub: number, trle: boolean): void {
    const n = tw * th;
    // Reuse needs a palette of the right size; TRLE alone may reuse.
    if (sub === 127 && !(trle && this.trlePalette >= 2 && this.trlePalette <= 16)) sub = 4;
    if (sub === 129 && !(trle && this.trlePalette > 0)) sub = 131;
    out.u8(sub);
    if (sub > 16 && sub < 127) {
      out.raw(this.rnd.bytes(this.rnd.int(8))); // undefined subencoding: anything may follow
    } else if (sub === 0) {
      out.raw(this.pixels(n, this.bpc));
    } else if (sub === 1) {
      out.raw(this.pixels(1, this.bpc));
    } else if (sub <= 16 || sub === 127) {
      const colours = sub === 127 ? this.trlePalette : sub;
      if (sub !== 127) out.raw(this.pixels(colours, this.bpc));
      const bits = colours <= 2 ? 1 : colours <= 4 ? 2 : 4;
      for (let row = 0; row < th; row++) {
        let acc = 0;
        let used = 0;
        for (let col = 0; col < tw; col++) {
          acc = (acc << bits) | this.rnd.int(colours);
          used += bits;
          if (used === 8) {
            out.u8(acc);
            acc = 0;
            used = 0;
          }
        }
        if (used > 0) out.u8(acc << (8 - used));
      }
      if (trle && sub !== 127) this.trlePalette = colours;
    } else if (sub === 128) {
      for (const run of this.runs(n)) out.raw(this.pixels(1, this.bpc)).raw(runLength(run));
    } else {
      const colours = sub === 129 ? this.trlePalette : sub - 128;
      if (sub !== 129) out.raw(this.pixels(colours, this.bpc));
      for (const run of this.runs(n)) {
        const index = this.rnd.int(colours);
        if (run === 1) out.u8(index);
        else out.u8(index | 128).raw(runLength(run));
      }
      if (trle && sub !== 129) this.trlePalette = colours;
    }
  }

  /** Run lengths summing to `n`, some longer than 255 so the continuation bytes appear. */
  private runs(n: number): number[] {
    const runs: number[] = [];
    for (let left = n; left > 0; ) {
      const run = Math.min(left, this.rnd.chance(0.2) ? this.rnd.range(256, 600) : this.rnd.range(1, 40));
      runs.push(run);
      left -= run;
    }
    return runs;
  }

  cursor(x: number, y: number, w: number, h: number): this {
    rectHeader(this.b, x, y, w, h, Encoding.Cursor)
      .raw(this.pixels(w * h))
      .raw(this.rnd.bytes(((w + 7) >> 3) * h));
    return this;
  }

  pseudo(encoding: number, x: number, y: number, w: number, h: number): this {
    rectHeader(this.b, x, y, w, h, encoding);
    if (encoding === Encoding.DesktopName) this.b.u32(4).raw(text('tour'));
    if (encoding === Encoding.ExtendedDesktopSize) {
      this.b.u8(1, 0, 0, 0).u32(0).u16(0).u16(0).u16(w).u16(h).u32(0);
    }
    return this;
  }

  colourMap(first: number, count: number): this {
    this.b.u8(1, 0).u16(first).u16(count);
    for (let i = 0; i < count * 3; i++) this.b.u16(this.rnd.int(65536));
    return this;
  }

  bell(): this {
    this.b.u8(2);
    return this;
  }

  cutText(s: string): this {
    this.b.u8(3, 0, 0, 0).u32(s.length).raw(text(s));
    return this;
  }
}

/** u8 run-length bytes: the length less one as 255s and a remainder (§7.7.5). */
function runLength(run: number): number[] {
  const bytes: number[] = [];
  let rest = run - 1;
  while (rest >= 255) {
    bytes.push(255);
    rest -= 255;
  }
  bytes.push(rest);
  return bytes;
}

const TOUR_WIDTH = 160;
const TOUR_HEIGHT = 100;

/** Every server message and every encoding and pseudo-encoding the viewer speaks, in one stream. */
function tour(b: Bytes, format: PixelFormat, seed: number): void {
  const w = new MessageWriter(b, format, new Prng(seed));
  if (!format.trueColour) w.colourMap(0, 256);
  w.bell().cutText('fuzz seed');
  w.update(16)
    .raw(0, 0, 8, 4)
    .copyRect(8, 0, 8, 4, 0, 0)
    .rre(0, 8, 16, 8, false)
    .rre(16, 8, 16, 8, true)
    .hextile(0, 16, 50, 36)
    .zlibRect(32, 0, 8, 8)
    .trle(64, 0, 64, 48, [0, 1, 2, 5, 16, 127, 128, 129, 130, 200, 3, 1])
    .zrleRect(0, 0, TOUR_WIDTH, TOUR_HEIGHT, [1, 0, 128, 2, 140, 16])
    .cursor(2, 2, 9, 7)
    .pseudo(Encoding.DesktopName, 0, 0, 0, 0)
    .pseudo(Encoding.ExtendedDesktopSize, 0, 0, TOUR_WIDTH, TOUR_HEIGHT)
    .pseudo(Encoding.DesktopSize, 0, 0, TOUR_WIDTH, TOUR_HEIGHT)
    .pseudo(-257, 0, 0, 0, 0)
    .zrleRect(100, 60, 60, 40, [1])
    .trle(100, 60, 30, 20, [127, 129])
    .zlibRect(0, 90, 20, 10);
  w.update(0xffff)
    .zrleRect(10, 10, 70, 70, [16, 1, 1, 0])
    .trle(0, 0, 20, 20, [129, 7, 127, 131])
    .hextile(40, 40, 20, 20)
    .pseudo(Encoding.LastRect, 0, 0, 0, 0);
  w.update(0).bell();
}

function seed(name: string, b: Bytes, options: SessionOptions): Seed {
  return { name, bytes: b.build(), options };
}

/** The hand-written seeds: every handshake, message type and encoding, in several pixel formats. */
export function syntheticSeeds(): Seed[] {
  const seeds: Seed[] = [];
  const levels: ColourLevel[] = ['full', 'rgb565', 'pal8', 'rgb332'];
  levels.forEach((level, i) => {
    const b = handshake('3.8', 'none').raw(
      serverInit(TOUR_WIDTH, TOUR_HEIGHT, SERVER_FORMAT, 'tour').build(),
    );
    tour(b, LEVEL_FORMATS[level], 100 + i);
    seeds.push(seed(`tour-${level}`, b, { colourLevel: level }));
  });

  const natives: [string, PixelFormat][] = [
    ['bgrx32', SERVER_FORMAT],
    ['xrgb32-be', { ...SERVER_FORMAT, bigEndian: true, redShift: 24, greenShift: 16, blueShift: 8 }],
    ['depth32', { ...SERVER_FORMAT, depth: 32 }],
    ['rgb565-be', { ...LEVEL_FORMATS.rgb565, bigEndian: true }],
  ];
  natives.forEach(([name, format], i) => {
    const b = handshake('3.8', 'none').raw(serverInit(TOUR_WIDTH, TOUR_HEIGHT, format, name).build());
    tour(b, format, 200 + i);
    seeds.push(seed(`tour-native-${name}`, b, { colourLevel: 'native' }));
  });

  for (const version of ['3.3', '3.7', '3.8'] as const) {
    for (const security of ['none', 'vnc'] as const) {
      const b = handshake(version, security).raw(serverInit(32, 16, SERVER_FORMAT, 'hs').build());
      new MessageWriter(b, LEVEL_FORMATS.full, new Prng(300))
        .bell()
        .update(2)
        .raw(0, 0, 4, 4)
        .hextile(4, 0, 28, 16);
      const credentials = security === 'vnc' ? { password: PASSWORD } : undefined;
      seeds.push(seed(`handshake-${version}-${security}`, b, { colourLevel: 'full', credentials }));
    }
  }

  const reason = text('too many connections');
  seeds.push(
    seed('refused-3.3', new Bytes().raw(text('RFB 003.003\n')).u32(0).u32(reason.length).raw(reason), {}),
    seed('refused-3.8', new Bytes().raw(text('RFB 003.008\n')).u8(0).u32(reason.length).raw(reason), {}),
    seed(
      'auth-failed-3.8',
      new Bytes()
        .raw(text('RFB 003.008\n'))
        .u8(1, 2)
        .raw(new Prng(9).bytes(16))
        .u32(1)
        .u32(reason.length)
        .raw(reason),
      { credentials: { password: PASSWORD } },
    ),
  );
  seeds.push(...securitySeeds());
  return seeds;
}

/**
 * The security types whose exchange the engine parses itself: VeNCrypt 0.2 with Plain (256)
 * and with VNC Authentication in its list, and Tight (16) with its capability lists. A
 * mutation that picks a TLS subtype ends the session cleanly (no TLS where nothing connects).
 */
function securitySeeds(): Seed[] {
  const vencrypt = (subtypes: number[]) => {
    const b = new Bytes().raw(text('RFB 003.008\n')).u8(1, 19).u8(0, 2).u8(0).u8(subtypes.length);
    for (const subtype of subtypes) b.u32(subtype);
    return b;
  };
  const finish = (b: Bytes, name: string) => {
    b.u32(0).raw(serverInit(32, 16, SERVER_FORMAT, name).build());
    new MessageWriter(b, LEVEL_FORMATS.full, new Prng(400)).bell().update(1).raw(0, 0, 8, 8);
    return b;
  };
  const capability = (code: number, vendor: string, name: string) =>
    new Bytes().u32(code).raw(text(vendor)).raw(text(name));
  const tight = new Bytes()
    .raw(text('RFB 003.008\n'))
    .u8(1, 16)
    .u32(0)
    .u32(1)
    .raw(capability(2, 'STDV', 'VNCAUTH_').build())
    .raw(new Prng(11).bytes(16));
  tight.u32(0).raw(serverInit(32, 16, SERVER_FORMAT, 'tight').build());
  // Interaction capabilities: 1 server message, 0 client messages, 1 encoding, padding.
  tight.u16(1).u16(0).u16(1).u16(0);
  tight.raw(capability(150, 'TGHT', 'FTS_LSDT').build()).raw(capability(7, 'TGHT', 'TIGHT___').build());
  new MessageWriter(tight, LEVEL_FORMATS.full, new Prng(401)).bell().update(1).raw(0, 0, 8, 8);
  const password = { password: PASSWORD };
  return [
    seed('vencrypt-plain', finish(vencrypt([256, 261, 2]), 'plain'), {
      colourLevel: 'full',
      credentials: { username: 'fuzz', ...password },
      security: { preferences: [256], allowPlainUnencrypted: true },
    }),
    seed('vencrypt-vncauth', finish(vencrypt([2]).raw(new Prng(10).bytes(16)), 'vnc'), {
      colourLevel: 'full',
      credentials: password,
    }),
    seed('tight-vncauth', tight, {
      colourLevel: 'full',
      credentials: password,
      security: { preferences: [16] },
    }),
  ];
}
