import type { DecodeContext, Decoder, Rect } from './decoder.ts';

/** Raw (RFC 6143 §7.7.1): rows of PIXELs, decoded row by row as they arrive. */
export class RawDecoder implements Decoder {
  private started = false;
  private row = 0;
  private base = 0;

  decode(rect: Rect, ctx: DecodeContext): boolean {
    const { queue: q, pixels: px, out } = ctx;
    if (rect.width === 0 || rect.height === 0) return true;
    if (!this.started) {
      this.started = true;
      this.row = 0;
      this.base = out.beginPixels(rect.x, rect.y, rect.width, rect.height);
    }
    const rowBytes = rect.width * px.bytesPerPixel;
    const rows = Math.min(rect.height - this.row, Math.floor(q.length / rowBytes));
    if (rows > 0) {
      px.convert(q.buf, q.pos, out.words, this.base + this.row * rect.width, rows * rect.width);
      q.consume(rows * rowBytes);
      this.row += rows;
    }
    if (this.row < rect.height) return false;
    this.started = false;
    return true;
  }
}
