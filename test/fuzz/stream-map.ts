import { Encoding } from '../../main/rfb/constants.ts';
import { TileState, tileLength } from '../../main/rfb/encodings/rle-tiles.ts';
import { PixelConverter } from '../../main/rfb/pixel-converter.ts';
import type { PixelFormat } from '../../main/rfb/pixel-format.ts';

/** A length, count or geometry field of the stream: where mutations that claim huge sizes aim. */
export interface Field {
  offset: number;
  size: 1 | 2 | 4;
}

/** Where the structure of a clean stream lies, so mutations can hit fields and whole messages. */
export interface StreamMap {
  fields: Field[];
  /** Offsets where a server message (or the message stream, after ServerInit) starts. */
  messages: number[];
}

/** At most this many fields are noted per rectangle, so big rectangles do not drown the rest. */
const FIELDS_PER_RECT = 16;

/**
 * Walks a clean server stream from ServerInit on (`initEnd` is where ServerInit ends, as the
 * session reported it) and notes its fields. Stops quietly at anything it does not know: the
 * map only aims mutations, it judges nothing.
 */
export function mapStream(bytes: Uint8Array, initEnd: number, format: PixelFormat): StreamMap {
  const fields: Field[] = [];
  const messages: number[] = [];
  const init = findServerInit(bytes, initEnd);
  if (init >= 0) {
    fields.push({ offset: init, size: 2 }, { offset: init + 2, size: 2 }, { offset: init + 4, size: 1 });
    fields.push({ offset: init + 7, size: 1 }, { offset: init + 8, size: 2 }, { offset: init + 20, size: 4 });
  }
  const walker = new Walker(bytes, new PixelConverter(format), fields);
  let pos = initEnd;
  while (pos < bytes.length) {
    messages.push(pos);
    const next = walker.message(pos);
    if (next < 0 || next > bytes.length) break;
    pos = next;
  }
  return { fields, messages };
}

/** ServerInit's offset: its u32 name length sits 20 bytes in and the name ends at `initEnd`. */
function findServerInit(bytes: Uint8Array, initEnd: number): number {
  for (let start = initEnd - 24; start >= 0; start--) {
    if (start + 24 + readU32(bytes, start + 20) === initEnd) return start;
  }
  return -1;
}

function readU16(b: Uint8Array, p: number): number {
  return ((b[p] << 8) | b[p + 1]) >>> 0;
}

function readU32(b: Uint8Array, p: number): number {
  return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}

class Walker {
  private readonly trle = new TileState(true);

  constructor(
    private readonly b: Uint8Array,
    private readonly px: PixelConverter,
    private readonly fields: Field[],
  ) {}

  /** The offset after the message at `p`, or -1 when it cannot be followed. */
  message(p: number): number {
    const b = this.b;
    switch (b[p]) {
      case 0: {
        this.fields.push({ offset: p + 2, size: 2 });
        let count = readU16(b, p + 2);
        p += 4;
        while (count-- > 0 && p + 12 <= b.length) {
          const encoding = readU32(b, p + 8) | 0;
          this.field(p, 2, 2, 2, 2, 4);
          if (encoding === Encoding.LastRect) return p + 12;
          p = this.rect(p + 12, readU16(b, p + 4), readU16(b, p + 6), encoding);
          if (p < 0) return -1;
        }
        return p;
      }
      case 1:
        this.field(p + 2, 2, 2);
        return p + 6 + 6 * readU16(b, p + 4);
      case 2:
        return p + 1;
      case 3:
        this.field(p + 4, 4);
        return p + 8 + readU32(b, p + 4);
      default:
        return -1;
    }
  }

  /** Notes consecutive fields of the given sizes starting at `p`. */
  private field(p: number, ...sizes: (1 | 2 | 4)[]): void {
    for (const size of sizes) {
      this.fields.push({ offset: p, size });
      p += size;
    }
  }

  private rect(p: number, w: number, h: number, encoding: number): number {
    const b = this.b;
    const bpp = this.px.bytesPerPixel;
    switch (encoding) {
      case Encoding.Raw:
        return p + w * h * bpp;
      case Encoding.CopyRect:
        this.field(p, 2, 2);
        return p + 4;
      case Encoding.RRE:
      case Encoding.CoRRE: {
        const coord = encoding === Encoding.RRE ? 2 : 1;
        const n = readU32(b, p);
        this.field(p, 4);
        p += 4 + bpp;
        for (let i = 0; i < n; i++, p += bpp + 4 * coord) {
          if (i < FIELDS_PER_RECT) this.field(p + bpp, coord, coord, coord, coord);
        }
        return p;
      }
      case Encoding.Hextile:
        return this.hextile(p, w, h);
      case Encoding.Zlib:
      case Encoding.ZRLE:
        this.field(p, 4);
        return p + 4 + readU32(b, p);
      case Encoding.TRLE:
        return this.trleTiles(p, w, h);
      case Encoding.DesktopSize:
      case -257:
        return p;
      case Encoding.ExtendedDesktopSize:
        this.field(p, 1);
        return p + 4 + 16 * b[p];
      case Encoding.DesktopName:
        this.field(p, 4);
        return p + 4 + readU32(b, p);
      case Encoding.Cursor:
        return p + w * h * bpp + ((w + 7) >> 3) * h;
      default:
        return -1;
    }
  }

  private hextile(p: number, w: number, h: number): number {
    const b = this.b;
    const bpp = this.px.bytesPerPixel;
    let noted = 0;
    for (let ty = 0; ty < h; ty += 16) {
      for (let tx = 0; tx < w; tx += 16) {
        if (p >= b.length) return -1;
        const mask = b[p];
        if (noted++ < FIELDS_PER_RECT) this.field(p, 1);
        p++;
        if (mask & 1) {
          p += Math.min(16, w - tx) * Math.min(16, h - ty) * bpp;
          continue;
        }
        if (mask & 2) p += bpp;
        if (mask & 4) p += bpp;
        if (mask & 8) {
          if (noted++ < FIELDS_PER_RECT) this.field(p, 1);
          p += 1 + b[p] * (mask & 16 ? bpp + 2 : 2);
        }
      }
    }
    return p;
  }

  private trleTiles(p: number, w: number, h: number): number {
    const b = this.b;
    const s = this.trle;
    let noted = 0;
    for (let ty = 0; ty < h; ty += 16) {
      for (let tx = 0; tx < w; tx += 16) {
        s.scannedBytes = 0;
        const len = tileLength(
          s,
          this.px.bytesPerCPixel,
          b,
          p,
          b.length,
          Math.min(16, w - tx),
          Math.min(16, h - ty),
        );
        if (len < 0) return -1;
        const sub = b[p];
        if (sub >= 2 && sub <= 16) s.paletteSize = sub;
        else if (sub >= 130) s.paletteSize = sub - 128;
        if (noted++ < FIELDS_PER_RECT) this.field(p, 1);
        p += len;
      }
    }
    return p;
  }
}
