import type { DrawBatch, DrawOp } from '../../shared/draw-ops.ts';

/**
 * Collects the draw operations of one FramebufferUpdate and the pixels they refer to.
 * Pixels go into one reusable arena; when the arena passes `flushBytes` the batch so far
 * is emitted early, so a hostile update with endless rectangles cannot grow memory.
 */
export class UpdateBuilder {
  private ops: DrawOp[] = [];
  private arena: Uint8Array;
  /** The arena as RGBA words; re-read it after `beginPixels`, which may replace the arena. */
  words: Uint32Array;
  private used = 0;
  private readonly flushBytes: number;
  private readonly emit: (batch: DrawBatch) => void;

  constructor(emit: (batch: DrawBatch) => void, flushBytes = 64 << 20) {
    this.emit = emit;
    this.flushBytes = flushBytes;
    this.arena = new Uint8Array(1 << 20);
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
    if (this.used > 0 && this.used + bytes > this.flushBytes) this.flush(false);
    if (this.used + bytes > this.arena.length) {
      let capacity = this.arena.length;
      while (capacity < this.used + bytes) capacity *= 2;
      const next = new Uint8Array(capacity);
      next.set(this.arena.subarray(0, this.used));
      this.arena = next;
      this.words = new Uint32Array(next.buffer);
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
