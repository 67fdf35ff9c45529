import { protocolError } from '../../../shared/rfb-error.ts';
import type { DecodeContext, Decoder, Rect } from './decoder.ts';

/** The largest compressed Zlib rectangle accepted. */
export const MAX_ZLIB_LENGTH = 64 << 20;

/**
 * Zlib (encoding 6; "zlib Encoding" in the community RFB spec, rfbproto): a u32 length, then that much zlib data
 * continuing the connection's 'zlib' stream, inflating to exactly the rectangle's raw PIXELs.
 */
export class ZlibDecoder implements Decoder {
  decode(rect: Rect, ctx: DecodeContext): boolean {
    const { queue: q, pixels: px, out } = ctx;
    if (!q.has(4)) return false;
    const length = q.peekU32();
    if (length > MAX_ZLIB_LENGTH) {
      throw protocolError(
        `Zlib rectangle at ${rect.x},${rect.y} claims ${length} bytes of compressed data (at most ${MAX_ZLIB_LENGTH} accepted)`,
      );
    }
    if (!q.has(4 + length)) return false;
    q.consume(4);
    const input = q.buf.subarray(q.pos, q.pos + length);
    q.consume(length);

    const count = rect.width * rect.height;
    const expected = count * px.bytesPerPixel;
    const data = ctx.zlib('zlib').inflate(input, expected);
    if (data.length !== expected) {
      throw protocolError(
        `Zlib rectangle ${rect.width}x${rect.height} at ${rect.x},${rect.y} inflates to ${data.length} bytes instead of ${expected}`,
      );
    }
    if (count === 0) return true;
    const base = out.beginPixels(rect.x, rect.y, rect.width, rect.height);
    px.convert(data, 0, out.words, base, count);
    return true;
  }
}
