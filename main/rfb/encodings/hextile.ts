import { protocolError } from '../../../shared/rfb-error.ts';
import type { UpdateBuilder } from '../update-builder.ts';
import type { DecodeContext, Decoder, Rect } from './decoder.ts';

// Subencoding mask bits (RFC 6143 §7.7.4).
const RAW = 1;
const BACKGROUND_SPECIFIED = 2;
const FOREGROUND_SPECIFIED = 4;
const ANY_SUBRECTS = 8;
const SUBRECTS_COLOURED = 16;

/** What a tile gets if the server relies on a background or foreground it never sent (§7.7.4 says it must not). */
const BLACK = 0xff000000;

/**
 * Hextile (RFC 6143 §7.7.4): 16x16 tiles, left to right and top to bottom, each either raw
 * or a background with RRE-like subrectangles. A tile is decoded once all of its bytes have
 * arrived. While every tile so far is background only and of one colour nothing is written,
 * so a rectangle that stays that way becomes a single fill.
 */
export class HextileDecoder implements Decoder {
  private started = false;
  /** Top-left corner of the next tile, relative to the rectangle. */
  private tileX = 0;
  private tileY = 0;
  private bg = BLACK;
  private fg = BLACK;
  /** Index in `out.words` of the rectangle's first pixel; -1 while every tile so far was plain `bg`. */
  private base = -1;

  decode(rect: Rect, ctx: DecodeContext): boolean {
    const w = rect.width;
    const h = rect.height;
    if (w === 0 || h === 0) return true;
    if (!this.started) {
      this.started = true;
      this.tileX = 0;
      this.tileY = 0;
      this.bg = BLACK;
      this.fg = BLACK;
      this.base = -1;
    }
    const q = ctx.queue;
    const px = ctx.pixels;
    const out = ctx.out;
    const bpp = px.bytesPerPixel;
    const buf = q.buf;
    const end = q.end;
    let pos = q.pos;
    let tx = this.tileX;
    let ty = this.tileY;
    let bg = this.bg;
    let fg = this.fg;
    let base = this.base;
    let words = out.words;
    let th = Math.min(16, h - ty);

    while (ty < h) {
      const tw = Math.min(16, w - tx);
      const avail = end - pos;
      if (avail === 0) break;
      const mask = buf[pos];

      // The tile's size, from its mask and subrectangle count.
      let size = 1;
      if (mask & RAW) {
        size += tw * th * bpp;
      } else {
        if (mask & BACKGROUND_SPECIFIED) size += bpp;
        if (mask & FOREGROUND_SPECIFIED) size += bpp;
        if (mask & ANY_SUBRECTS) {
          if (avail <= size) break;
          size += 1 + buf[pos + size] * (mask & SUBRECTS_COLOURED ? bpp + 2 : 2);
        }
      }
      if (avail < size) break;

      let p = pos + 1;
      if (mask & RAW) {
        // The other bits are ignored, and bg and fg stay as they were.
        if (base < 0) {
          base = this.reserve(rect, out, tx, ty, bg);
          words = out.words;
        }
        const rowBytes = tw * bpp;
        let o = base + ty * w + tx;
        if (tw === w) {
          px.convert(buf, p, words, o, tw * th);
        } else {
          for (let r = 0; r < th; r++, o += w, p += rowBytes) px.convert(buf, p, words, o, tw);
        }
      } else {
        let tileBg = bg;
        if (mask & BACKGROUND_SPECIFIED) {
          tileBg = px.readPixel(buf, p);
          p += bpp;
        }
        if (mask & FOREGROUND_SPECIFIED) {
          fg = px.readPixel(buf, p);
          p += bpp;
        }
        const n = mask & ANY_SUBRECTS ? buf[p++] : 0;
        if (base >= 0 || n > 0 || (tileBg !== bg && (tx | ty) !== 0)) {
          if (base < 0) {
            base = this.reserve(rect, out, tx, ty, bg);
            words = out.words;
          }
          // Rows here are at most 16 pixels: plain loops beat Uint32Array.fill, whose call costs
          // more than the stores (measured 1.5-2x on 1080p frames).
          const tileBase = base + ty * w + tx;
          const tileEnd = tileBase + th * w;
          for (let o = tileBase; o < tileEnd; o += w) {
            const e = o + tw;
            for (let i = o; i < e; i++) words[i] = tileBg;
          }
          if (n > 0) {
            const coloured = (mask & SUBRECTS_COLOURED) !== 0;
            let colour = fg;
            for (let i = 0; i < n; i++) {
              if (coloured) {
                colour = px.readPixel(buf, p);
                p += bpp;
              }
              const xy = buf[p];
              const wh = buf[p + 1];
              p += 2;
              const sx = xy >> 4;
              const sy = xy & 15;
              const sw = (wh >> 4) + 1;
              const sh = (wh & 15) + 1;
              if (sx + sw > tw || sy + sh > th) {
                throw protocolError(
                  `Hextile subrectangle ${sw}x${sh} at ${sx},${sy} lies outside its ${tw}x${th} tile at ${tx},${ty} ` +
                    `of the ${w}x${h} rectangle at ${rect.x},${rect.y}`,
                );
              }
              const start = tileBase + sy * w + sx;
              const stop = start + sh * w;
              for (let o = start; o < stop; o += w) {
                const e = o + sw;
                for (let j = o; j < e; j++) words[j] = colour;
              }
            }
            // Like TigerVNC and libvncclient, the last coloured subrectangle's colour becomes the
            // foreground; §7.7.4 forbids servers to rely on it, so this only matters to broken ones.
            if (coloured) fg = colour;
          }
        }
        bg = tileBg;
      }

      pos += size;
      tx += 16;
      if (tx >= w) {
        tx = 0;
        ty += 16;
        th = Math.min(16, h - ty);
      }
    }

    q.consume(pos - q.pos);
    if (ty < h) {
      this.tileX = tx;
      this.tileY = ty;
      this.bg = bg;
      this.fg = fg;
      this.base = base;
      return false;
    }
    if (base < 0) out.fill(rect.x, rect.y, w, h, bg);
    this.started = false;
    return true;
  }

  /** Reserves the rectangle's pixels and paints the tiles before (tx, ty), all of which were plain `colour`. */
  private reserve(rect: Rect, out: UpdateBuilder, tx: number, ty: number, colour: number): number {
    const w = rect.width;
    const base = out.beginPixels(rect.x, rect.y, w, rect.height);
    const words = out.words;
    words.fill(colour, base, base + ty * w);
    if (tx > 0) {
      const rows = Math.min(16, rect.height - ty);
      for (let r = 0, o = base + ty * w; r < rows; r++, o += w) words.fill(colour, o, o + tx);
    }
    return base;
  }
}
