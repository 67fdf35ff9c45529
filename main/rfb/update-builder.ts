import type { DrawBatch, DrawOp } from '../../shared/draw-ops.ts';

/**
 * Bytes of the pixel arena a session starts with. A large update goes out as several batches
 * of about this size instead of growing the arena to hold all of it: the arena stays in the
 * CPU's cache between the decoder writing it and the painter reading it, and a connection
 * touches no fresh memory per full frame (measured on the office recordings: a first frame
 * that grew the arena to 8 MiB spent more time in page faults than in decoding).
 */
export const ARENA_BYTES = 1 << 20;

/**
 * Collects the draw operations of one FramebufferUpdate and the pixels they refer to.
 * Pixels go into one reusable arena; when a reservation does not fit in what is left of it,
 * the batch so far is emitted early and the arena is reused, so neither a large update nor a
 * hostile one with endless rectangles grows memory. The arena grows only for one rectangle
 * larger than all of it.
 */
export class UpdateBuilder {
  private ops: DrawOp[] = [];
  private arena: Uint8Array;
  /** The arena as RGBA words; re-read it after `beginPixels`, which may replace the arena. */
  words: Uint32Array;
  private used = 0;
  private readonly emit: (batch: DrawBatch) => void;

  constructor(emit: (batch: DrawBatch) => void, arenaBytes = ARENA_BYTES) {
    this.emit = emit;
    this.arena = new Uint8Array(arenaBytes);
    this.words = new Uint32Array(this.arena.buffer);
  }

  get pending(): boolean {
    return this.ops.length > 0;
  }

  push(op: DrawOp): void {
    this.ops.push(op);
  }

  fill(x: number, y: number, width: number, height: number, colour: number): void {
    if (width > 0 && height > 0) this.ops.push({ kind: 'fill', x, y, width, height, colour });
  }

  copy(srcX: number, srcY: number, x: number, y: number, width: number, height: number): void {
    if (width > 0 && height > 0) this.ops.push({ kind: 'copy', srcX, srcY, x, y, width, height });
  }

  /**
   * Reserves `width * height` RGBA words for a rectangle and queues a `pixels` op for them.
   * Returns the index of the first word in `words`.
   */
  beginPixels(x: number, y: number, width: number, height: number): number {
    return this.reserve({ kind: 'pixels', x, y, width, height, offset: 0 }, width * height);
  }

  beginCursor(hotX: number, hotY: number, width: number, height: number): number {
    return this.reserve({ kind: 'cursor', hotX, hotY, width, height, offset: 0 }, width * height);
  }

  /**
   * Reserves `length` bytes (a JPEG file) for a rectangle and queues a `jpeg` op for them.
   * Returns the byte offset in `bytes` where the caller copies them. The reservation is
   * rounded up to whole words, so later pixel ops stay 4-byte aligned.
   */
  beginBytes(x: number, y: number, width: number, height: number, length: number): number {
    return this.reserve({ kind: 'jpeg', x, y, width, height, offset: 0, length }, (length + 3) >>> 2) * 4;
  }

  /** The arena as bytes; re-read it after `beginBytes`/`beginPixels`, which may replace the arena. */
  get bytes(): Uint8Array {
    return this.arena;
  }

  private reserve(op: DrawOp & { offset: number }, words: number): number {
    const bytes = words * 4;
    if (this.used > 0 && this.used + bytes > this.arena.length) this.flush(false);
    if (bytes > this.arena.length) {
      // Nothing is pending after the flush: nothing to copy.
      let capacity = this.arena.length;
      while (capacity < bytes) capacity *= 2;
      this.arena = new Uint8Array(capacity);
      this.words = new Uint32Array(this.arena.buffer);
    }
    op.offset = this.used;
    this.used += bytes;
    this.ops.push(op);
    return op.offset >>> 2;
  }

  /**
   * Replaces the `pixels` op just reserved with a solid fill: a decoder that found its
   * rectangle to be one colour calls this so the colour travels as a command.
   */
  pixelsWereSolid(colour: number): void {
    const op = this.ops[this.ops.length - 1];
    if (op?.kind !== 'pixels') return;
    this.used = op.offset;
    this.ops[this.ops.length - 1] = {
      kind: 'fill',
      x: op.x,
      y: op.y,
      width: op.width,
      height: op.height,
      colour,
    };
  }

  flush(updateEnd: boolean): void {
    const batch: DrawBatch = { ops: this.ops, pixels: this.arena.subarray(0, this.used), updateEnd };
    this.ops = [];
    this.used = 0;
    this.emit(batch);
  }
}
