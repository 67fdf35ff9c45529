import { protocolError } from '../../../shared/rfb-error.ts';
import type { DecodeContext, Decoder, Rect } from './decoder.ts';

/** CopyRect (RFC 6143 §7.7.2): copy a rectangle from elsewhere in the framebuffer. */
export class CopyRectDecoder implements Decoder {
  decode(rect: Rect, ctx: DecodeContext): boolean {
    const q = ctx.queue;
    if (!q.has(4)) return false;
    const srcX = q.u16();
    const srcY = q.u16();
    if (srcX + rect.width > ctx.width || srcY + rect.height > ctx.height) {
      throw protocolError(
        `CopyRect source ${rect.width}x${rect.height} at ${srcX},${srcY} lies outside the ${ctx.width}x${ctx.height} framebuffer`,
      );
    }
    ctx.out.copy(srcX, srcY, rect.x, rect.y, rect.width, rect.height);
    return true;
  }
}
