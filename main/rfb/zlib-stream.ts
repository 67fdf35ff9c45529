import { constants, inflateRawSync, inflateSync, type ZlibOptions } from 'node:zlib';
import { protocolError } from '../../shared/rfb-error.ts';

/** Deflate's window (RFC 1951 §2): a back-reference reaches at most 32 KiB back. */
const WINDOW = 32 * 1024;
/** Output chunks Node's zlib allocates at most at once (a larger rectangle's output is joined). */
const MAX_CHUNK = 1 << 20;

/**
 * A zlib stream that lasts as long as the connection (RFC 6143 §7.7.6 Zlib, §7.7.6 ZRLE,
 * rfbproto "Tight Encoding"): each rectangle's compressed bytes continue the same stream, and
 * the server ends each rectangle with Z_SYNC_FLUSH, so its data ends on a byte boundary, with
 * every byte of its output written out.
 *
 * Inflated by Node's own zlib (C, 2–2.5× faster than pako here: see README, Benchmarks). Node
 * has no synchronous call that keeps an inflate stream open, but all a stream carries from one
 * rectangle to the next is its last 32 KiB of output: the first rectangle is inflated as zlib
 * data (header checked, and the Adler-32 check if the stream ends there), every later one as raw
 * deflate blocks with that window as the preset dictionary.
 */
export class ZlibStream {
  /** The last (up to) 32 KiB of output: what later data may refer back to. */
  private window: Buffer = Buffer.alloc(0);
  private started = false;
  private readonly name: string;

  constructor(name: string) {
    this.name = name;
  }

  reset(): void {
    this.window = Buffer.alloc(0);
    this.started = false;
  }

  /**
   * Inflates all of `input` and returns the output. Producing more than `maxOutput` bytes is a
   * protocol error: the caller knows the bound.
   */
  inflate(input: Uint8Array, maxOutput: number): Uint8Array {
    if (input.length === 0) return new Uint8Array(0);
    const options: ZlibOptions = {
      finishFlush: constants.Z_SYNC_FLUSH,
      // One byte past the bound, so surplus output is seen rather than cut off.
      maxOutputLength: maxOutput + 1,
      // One chunk for the whole output where it is known (Tight), so nothing is joined.
      chunkSize: Math.max(64, Math.min(maxOutput + 1, MAX_CHUNK)),
    };
    const tooMuch = () =>
      protocolError(`${this.name} data inflates to more than the ${maxOutput} bytes the rectangle can hold`);
    let out: Buffer;
    try {
      if (this.started) {
        if (this.window.length > 0) options.dictionary = this.window;
        out = inflateRawSync(input, options);
      } else {
        out = inflateSync(input, options);
      }
    } catch (error) {
      const { code, message } = error as { code?: string; message?: string };
      if (code === 'ERR_BUFFER_TOO_LARGE') throw tooMuch();
      throw protocolError(`${this.name} data is corrupt (zlib: ${message ?? code})`);
    }
    if (out.length > maxOutput) throw tooMuch();
    this.started = true;
    this.keepWindow(out);
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  }

  private keepWindow(out: Buffer): void {
    if (out.length >= WINDOW) {
      this.window = out.subarray(out.length - WINDOW);
      return;
    }
    if (out.length === 0) return;
    const keep = Math.min(this.window.length, WINDOW - out.length);
    const next = Buffer.allocUnsafe(keep + out.length);
    next.set(this.window.subarray(this.window.length - keep));
    next.set(out, keep);
    this.window = next;
  }
}
