import { protocolError } from '../../../shared/rfb-error.ts';
import type { DecodeContext, Decoder, Rect } from './decoder.ts';

/**
 * RRE (RFC 6143 §7.7.3) and CoRRE, which differ only in the size of the subrectangle
 * coordinates. Subrectangles are decoded as they arrive, since the server picks their count.
 * While every subrectangle so far has the background colour nothing is written, so such a
 * rectangle, like one with no subrectangles, becomes a single fill.
 */
class RreFamilyDecoder implements Decoder {
  private readonly name: string;
  /** Bytes in each of a subrectangle's x, y, width and height. */
  private readonly coordBytes: 1 | 2;
  private started = false;
  private remaining = 0;
  private bg = 0;
  /** Index in `out.words` of the rectangle's first pixel; -1 while nothing has been painted over `bg`. */
  private base = -1;

  constructor(name: string, coordBytes: 1 | 2) {
    this.name = name;
    this.coordBytes = coordBytes;
  }

  decode(rect: Rect, ctx: DecodeContext): boolean {
    const q = ctx.queue;
    const px = ctx.pixels;
    const out = ctx.out;
    const bpp = px.bytesPerPixel;
    if (!this.started) {
      if (!q.has(4 + bpp)) return false;
      this.remaining = q.u32();
      this.bg = px.readPixel(q.buf, q.pos);
      q.consume(bpp);
      this.base = -1;
      this.started = true;
    }

    const w = rect.width;
    const h = rect.height;
    const bg = this.bg;
    const small = this.coordBytes === 1;
    const step = bpp + 4 * this.coordBytes;
    const count = Math.min(this.remaining, Math.floor(q.length / step));
    const buf = q.buf;
    let base = this.base;
    let words = out.words;
    let p = q.pos;
    for (let i = 0; i < count; i++, p += step) {
      const colour = px.readPixel(buf, p);
      const c = p + bpp;
      let sx: number;
      let sy: number;
      let sw: number;
      let sh: number;
      if (small) {
        sx = buf[c];
        sy = buf[c + 1];
        sw = buf[c + 2];
        sh = buf[c + 3];
      } else {
        sx = (buf[c] << 8) | buf[c + 1];
        sy = (buf[c + 2] << 8) | buf[c + 3];
        sw = (buf[c + 4] << 8) | buf[c + 5];
        sh = (buf[c + 6] << 8) | buf[c + 7];
      }
      if (sx + sw > w || sy + sh > h) {
        throw protocolError(
          `${this.name} subrectangle ${sw}x${sh} at ${sx},${sy} lies outside the ${w}x${h} rectangle at ${rect.x},${rect.y}`,
        );
      }
      if (base < 0) {
        if (colour === bg) continue;
        base = out.beginPixels(rect.x, rect.y, w, h);
        words = out.words;
        words.fill(bg, base, base + w * h);
      }
      const start = base + sy * w + sx;
      const stop = start + sh * w;
      for (let o = start; o < stop; o += w) words.fill(colour, o, o + sw);
    }
    q.consume(p - q.pos);
    this.remaining -= count;
    this.base = base;
    if (this.remaining > 0) return false;

    if (base < 0) out.fill(rect.x, rect.y, w, h, bg);
    this.started = false;
    return true;
  }
}

/** RRE (RFC 6143 §7.7.3): a background and u16-positioned subrectangles. */
export class RreDecoder extends RreFamilyDecoder {
  constructor() {
    super('RRE', 2);
  }
}

/** CoRRE: RRE with u8 subrectangle x, y, width and height. */
export class CoRreDecoder extends RreFamilyDecoder {
  constructor() {
    super('CoRRE', 1);
  }
}
