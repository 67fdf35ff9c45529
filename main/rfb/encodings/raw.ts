import { ARENA_BYTES } from '../update-builder.ts';
import type { DecodeContext, Decoder, Rect } from './decoder.ts';

/**
 * Raw (RFC 6143 §7.7.1): PIXELs in row order, decoded as they arrive. The rectangle's words in
 * the arena are in the same order, so every whole pixel received is converted at once; the
 * bytes of a pixel split between two chunks wait here, not in the queue, which then stays empty
 * and reads the next chunk in place instead of copying it (measured: the queue's copies were
 * 12% of Raw's time). A large rectangle is reserved in strips of whole rows that fit in the
 * session's arena, so a full frame goes out as several `pixels` ops (and batches) instead of
 * growing the arena to the frame's size.
 */
export class RawDecoder implements Decoder {
  private started = false;
  /** Pixels of the rectangle converted so far. */
  private done = 0;
  /** The strip being filled: its first and end pixels in the rectangle, and its first word in the arena. */
  private stripStart = 0;
  private stripEnd = 0;
  private base = 0;
  /** The first bytes of a pixel split between chunks, and how many of them there are. */
  private readonly split = new Uint8Array(4);
  private splitBytes = 0;

  decode(rect: Rect, ctx: DecodeContext): boolean {
    const { queue: q, pixels: px, out } = ctx;
    const total = rect.width * rect.height;
    if (total === 0) return true;
    if (!this.started) {
      this.started = true;
      this.done = 0;
      this.stripEnd = 0;
      this.splitBytes = 0;
    }
    const size = px.bytesPerPixel;
    if (this.splitBytes > 0) {
      const missing = Math.min(size - this.splitBytes, q.length);
      this.split.set(q.buf.subarray(q.pos, q.pos + missing), this.splitBytes);
      q.consume(missing);
      this.splitBytes += missing;
      if (this.splitBytes < size) return false;
      if (this.done === this.stripEnd) this.beginStrip(rect, ctx);
      px.convert(this.split, 0, out.words, this.base + this.done - this.stripStart, 1);
      this.done++;
      this.splitBytes = 0;
    }
    while (this.done < total && q.length >= size) {
      if (this.done === this.stripEnd) this.beginStrip(rect, ctx);
      const count = Math.min(this.stripEnd - this.done, Math.floor(q.length / size));
      px.convert(q.buf, q.pos, out.words, this.base + this.done - this.stripStart, count);
      q.consume(count * size);
      this.done += count;
    }
    if (this.done < total) {
      // Fewer bytes than one pixel are left in the queue.
      this.splitBytes = q.length;
      this.split.set(q.buf.subarray(q.pos, q.end));
      q.consume(this.splitBytes);
      return false;
    }
    this.started = false;
    return true;
  }

  /** Reserves the next rows of the rectangle (at least one) in the arena. */
  private beginStrip(rect: Rect, ctx: DecodeContext): void {
    const row = this.done / rect.width;
    const rows = Math.min(rect.height - row, Math.max(1, Math.floor(ARENA_BYTES / (rect.width * 4))));
    this.base = ctx.out.beginPixels(rect.x, rect.y + row, rect.width, rows);
    this.stripStart = this.done;
    this.stripEnd = this.done + rows * rect.width;
  }
}
