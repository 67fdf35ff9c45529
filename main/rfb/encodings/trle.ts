import { protocolError } from '../../../shared/rfb-error.ts';
import type { DecodeContext, Decoder, Rect } from './decoder.ts';
import { decodeTile, describeTileError, fillSkippedTiles, TileState, tileLength } from './rle-tiles.ts';

const TILE = 16;

/**
 * TRLE (RFC 6143 §7.7.5): 16x16 tiles with no length prefix. Each tile is painted once all
 * of its bytes have arrived (`tileLength` scans run-length tiles incrementally), so decoding
 * resumes tile by tile. The previous palette (subencodings 127 and 129) lives as long as
 * the connection. While every tile so far is solid in one colour nothing is painted or even
 * reserved, and a rectangle that ends that way becomes a fill.
 */
export class TrleDecoder implements Decoder {
  private readonly tiles = new TileState(true);
  private started = false;
  private base = 0;
  private tx = 0;
  private ty = 0;
  private allSolid = true;
  private solidColour = 0;

  decode(rect: Rect, ctx: DecodeContext): boolean {
    const { queue: q, pixels: px, out } = ctx;
    const { width: w, height: h } = rect;
    if (w === 0 || h === 0) return true;
    const s = this.tiles;
    if (!this.started) {
      this.started = true;
      this.tx = 0;
      this.ty = 0;
      this.allSolid = true;
      s.scannedBytes = 0;
    }
    const bpc = px.bytesPerCPixel;
    let tx = this.tx;
    let ty = this.ty;
    while (ty < h) {
      const th = Math.min(TILE, h - ty);
      while (tx < w) {
        const tw = Math.min(TILE, w - tx);
        const src = q.buf;
        const pos = q.pos;
        const len = tileLength(s, bpc, src, pos, q.end, tw, th);
        if (len < 0) {
          this.tx = tx;
          this.ty = ty;
          return false;
        }
        s.scannedBytes = 0;
        if (this.allSolid) {
          if (src[pos] === 1) {
            const colour = px.readCPixel(src, pos + 1);
            if ((tx === 0 && ty === 0) || colour === this.solidColour) {
              this.solidColour = colour;
              q.consume(len);
              tx += TILE;
              continue;
            }
          }
          this.base = out.beginPixels(rect.x, rect.y, w, h);
          if (tx > 0 || ty > 0) fillSkippedTiles(out.words, this.base, w, tx, ty, th, this.solidColour);
          this.allSolid = false;
        }
        const next = decodeTile(s, px, src, pos, pos + len, out.words, this.base + ty * w + tx, w, tw, th);
        if (next !== pos + len) {
          const what = next < 0 ? describeTileError(next, s, tw, th) : `ends ${pos + len - next} bytes early`;
          throw protocolError(
            `TRLE tile at ${tx},${ty} of the ${w}x${h} rectangle at ${rect.x},${rect.y} ${what}`,
          );
        }
        q.consume(len);
        tx += TILE;
      }
      tx = 0;
      ty += TILE;
    }
    this.started = false;
    if (this.allSolid) out.fill(rect.x, rect.y, w, h, this.solidColour);
    return true;
  }
}
