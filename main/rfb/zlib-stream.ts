import { Z_BUF_ERROR, Z_OK, Z_STREAM_END, Z_SYNC_FLUSH, ZStream, zlibInflate, zlibInflateInit } from 'pako';
import { protocolError } from '../../shared/rfb-error.ts';

/**
 * A zlib stream that lasts as long as the connection (RFC 6143 §7.7.6 Zlib, §7.7.6 ZRLE):
 * each rectangle's compressed bytes continue the same stream, flushed with Z_SYNC_FLUSH.
 */
export class ZlibStream {
  private strm = new ZStream();
  private out = new Uint8Array(1 << 16);
  private readonly name: string;

  constructor(name: string) {
    this.name = name;
    zlibInflateInit(this.strm);
  }

  reset(): void {
    this.strm = new ZStream();
    zlibInflateInit(this.strm);
  }

  /**
   * Inflates all of `input` and returns the output. The view is valid until the next call.
   * Producing more than `maxOutput` bytes is a protocol error: the caller knows the bound.
   */
  inflate(input: Uint8Array, maxOutput: number): Uint8Array {
    const strm = this.strm;
    strm.input = input;
    strm.next_in = 0;
    strm.avail_in = input.length;
    // Room for one byte past the bound, so surplus output is seen rather than left in the stream.
    const limit = maxOutput + 1;
    let produced = 0;
    for (;;) {
      if (produced >= Math.min(this.out.length, limit)) {
        if (produced >= limit) break;
        const grown = new Uint8Array(Math.min(Math.max(this.out.length * 2, 1 << 16), limit));
        grown.set(this.out.subarray(0, produced));
        this.out = grown;
      }
      strm.output = this.out as Uint8Array<ArrayBuffer>;
      strm.next_out = produced;
      strm.avail_out = Math.min(this.out.length, limit) - produced;
      const status = zlibInflate(strm, Z_SYNC_FLUSH);
      produced = strm.next_out;
      if (status === Z_STREAM_END) break;
      if (status !== Z_OK && status !== Z_BUF_ERROR) {
        throw protocolError(`${this.name} data is corrupt (zlib: ${strm.msg || `error ${status}`})`);
      }
      // Done when zlib stopped short of filling the buffer: input used up and output flushed.
      if (strm.avail_out > 0) break;
    }
    if (produced > maxOutput) {
      throw protocolError(
        `${this.name} data inflates to more than the ${maxOutput} bytes the rectangle can hold`,
      );
    }
    return this.out.subarray(0, produced);
  }
}
