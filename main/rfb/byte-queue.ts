import { RfbError } from '../../shared/rfb-error.ts';

/**
 * The receive queue: bytes from the transport waiting to be parsed.
 * Decoders read `buf` between `pos` and `end` directly in hot paths and call `consume`.
 * A view returned by `bytes` stays valid only until the next `push`.
 */
export class ByteQueue {
  buf: Uint8Array;
  pos = 0;
  end = 0;
  private readonly maxCapacity: number;
  /** Our own storage; `buf` is either this or a chunk being read in place. */
  private owned: Uint8Array;
  private borrowed = false;

  constructor(initialCapacity = 1 << 16, maxCapacity = 1 << 28) {
    this.owned = new Uint8Array(initialCapacity);
    this.buf = this.owned;
    this.maxCapacity = maxCapacity;
  }

  /** Bytes of storage the queue holds (for memory checks). */
  get capacity(): number {
    return Math.max(this.owned.length, this.buf.length);
  }

  get length(): number {
    return this.end - this.pos;
  }

  has(n: number): boolean {
    return this.end - this.pos >= n;
  }

  push(chunk: Uint8Array): void {
    if (this.pos === this.end) {
      // Nothing is pending: parse straight from the chunk, copying only what is left of it
      // when the next one arrives. Saves a copy of every byte of large updates.
      this.buf = chunk;
      this.pos = 0;
      this.end = chunk.length;
      this.borrowed = true;
      return;
    }
    if (this.borrowed || this.end + chunk.length > this.buf.length) this.makeRoom(chunk.length);
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  /** Moves the pending bytes to the front of an owned buffer with room for `extra` more. */
  private makeRoom(extra: number): void {
    const live = this.end - this.pos;
    const needed = live + extra;
    if (!this.borrowed && needed <= this.buf.length && this.pos >= this.buf.length >>> 2) {
      this.buf.copyWithin(0, this.pos, this.end);
    } else {
      let capacity = Math.max(this.owned.length, 1 << 16);
      while (capacity < needed) capacity *= 2;
      if (capacity > this.maxCapacity) {
        throw new RfbError(
          'protocol',
          `the server sent more than ${this.maxCapacity >>> 20} MiB that could not be parsed`,
        );
      }
      const next =
        capacity === this.owned.length && this.buf !== this.owned ? this.owned : new Uint8Array(capacity);
      next.set(this.buf.subarray(this.pos, this.end));
      this.owned = next;
      this.buf = next;
      this.borrowed = false;
    }
    this.pos = 0;
    this.end = live;
  }

  consume(n: number): void {
    this.pos += n;
  }

  u8(): number {
    return this.buf[this.pos++];
  }

  u16(): number {
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p] << 8) | b[p + 1];
  }

  u32(): number {
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
  }

  s32(): number {
    return this.u32() | 0;
  }

  bytes(n: number): Uint8Array {
    const view = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return view;
  }

  peekU8(offset = 0): number {
    return this.buf[this.pos + offset];
  }

  peekU16(offset = 0): number {
    const p = this.pos + offset;
    return (this.buf[p] << 8) | this.buf[p + 1];
  }

  peekU32(offset = 0): number {
    const b = this.buf;
    const p = this.pos + offset;
    return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
  }
}
