import { protocolError } from '../../../shared/rfb-error.ts';
import type { DecodeContext, Decoder, Rect } from './decoder.ts';
import {
  decodeTile,
  describeTileError,
  fillSkippedTiles,
  maxTilesBytes,
  TILE_TRUNCATED,
  TileState,
} from './rle-tiles.ts';

const TILE = 64;

/** The largest compressed ZRLE rectangle accepted: far above what a 4K frame needs. */
export const MAX_ZRLE_LENGTH = 64 << 20;

const where = (r: Rect) => `ZRLE rectangle ${r.width}x${r.height} at ${r.x},${r.y}`;

/**
 * ZRLE (RFC 6143 §7.7.6): a u32 length, then that much zlib data continuing the connection's
 * 'zrle' stream, inflating to 64x64 tiles with TRLE's subencodings but for 127 and 129.
 * Waits for the whole rectangle, then decodes it in one pass. While every tile so far is
 * solid in one colour nothing is painted or even reserved, and a rectangle that ends that
 * way becomes a fill.
 */
export class ZrleDecoder implements Decoder {
  private readonly tiles = new TileState(false);

  decode(rect: Rect, ctx: DecodeContext): boolean {
    const { queue: q, pixels: px, out } = ctx;
    if (!q.has(4)) return false;
    const length = q.peekU32();
    if (length > MAX_ZRLE_LENGTH) {
      throw protocolError(
        `ZRLE rectangle at ${rect.x},${rect.y} claims ${length} bytes of compressed data (at most ${MAX_ZRLE_LENGTH} accepted)`,
      );
    }
    if (!q.has(4 + length)) return false;
    q.consume(4);
    const input = q.buf.subarray(q.pos, q.pos + length);
    q.consume(length);

    const { width: w, height: h } = rect;
    const bpc = px.bytesPerCPixel;
    const data = ctx.zlib('zrle').inflate(input, maxTilesBytes(w, h, TILE, bpc));
    const end = data.length;
    if (w === 0 || h === 0) {
      if (end !== 0) throw protocolError(`${where(rect)} is empty but its data inflates to ${end} bytes`);
      return true;
    }

    const s = this.tiles;
    // The pixels are reserved when the first tile that is not solid in one colour arrives.
    let base = 0;
    let dst = out.words;
    let pos = 0;
    let allSolid = true;
    let solidColour = 0;
    for (let ty = 0; ty < h; ty += TILE) {
      const th = Math.min(h - ty, TILE);
      for (let tx = 0; tx < w; tx += TILE) {
        const tw = Math.min(w - tx, TILE);
        if (allSolid) {
          if (data[pos] === 1 && pos + 1 + bpc <= end) {
            const colour = px.readCPixel(data, pos + 1);
            if ((tx === 0 && ty === 0) || colour === solidColour) {
              solidColour = colour;
              pos += 1 + bpc;
              continue;
            }
          }
          base = out.beginPixels(rect.x, rect.y, w, h);
          dst = out.words;
          if (tx > 0 || ty > 0) fillSkippedTiles(dst, base, w, tx, ty, th, solidColour);
          allSolid = false;
        }
        const next = decodeTile(s, px, data, pos, end, dst, base + ty * w + tx, w, tw, th);
        if (next < 0) {
          const what =
            next === TILE_TRUNCATED
              ? `ends inside it (after ${end} inflated bytes)`
              : describeTileError(next, s, tw, th);
          throw protocolError(`${where(rect)}: the tile at ${tx},${ty} ${what}`);
        }
        pos = next;
      }
    }
    if (pos !== end) throw protocolError(`${where(rect)} has ${end - pos} bytes of data after its last tile`);
    if (allSolid) out.fill(rect.x, rect.y, w, h, solidColour);
    return true;
  }
}
