import { constants, inflateRawSync, inflateSync, type ZlibOptions } from 'node:zlib';
import {
  Z_BUF_ERROR,
  Z_NEED_DICT,
  Z_SYNC_FLUSH,
  ZStream,
  zlibInflate,
  zlibInflateInit,
  zlibInflateInit2,
  zlibInflateReset2,
  zlibInflateSetDictionary,
} from 'pako';
import { protocolError } from '../../shared/rfb-error.ts';

/** Deflate's window (RFC 1951 §2): a back-reference reaches at most 32 KiB back. */
const WINDOW = 32 * 1024;
/** Output chunks Node's zlib allocates at most at once (a larger rectangle's output is joined). */
const MAX_CHUNK = 1 << 20;
/**
 * Inputs up to this many bytes go to pako, larger ones to Node's zlib. Node's synchronous calls
 * build a zlib handle each time (13 µs even for a few bytes); pako keeps one stream open (4–8 µs
 * a call up to 256 bytes, slower than Node from about 1 KiB; Tight on scrolling text 1.2× faster
 * than Node alone): README, Benchmarks.
 */
const SMALL_INPUT = 256;

/**
 * A zlib stream that lasts as long as the connection (RFC 6143 §7.7.6 Zlib, §7.7.6 ZRLE,
 * rfbproto "Tight Encoding"): each rectangle's compressed bytes continue the same stream, and
 * the server ends each rectangle with Z_SYNC_FLUSH, so its data ends on a byte boundary, with
 * every byte of its output written out.
 *
 * All a stream carries from one rectangle to the next is its last 32 KiB of output, so each
 * rectangle may go to whichever inflater is faster for its size. Large ones go to Node's own
 * zlib (C, 2–2.5× faster than pako on them), which has no synchronous call that keeps a stream
 * open: the first rectangle is inflated as zlib data (header checked), every later one as raw
 * deflate blocks with that window as the preset dictionary. Small ones go to a pako stream kept
 * open while they follow each other; after a large one it starts again as raw deflate with the
 * window as its dictionary.
 */
export class ZlibStream {
  /** The stream's latest output; its last (up to) 32 KiB are the window. */
  private history = new Uint8Array(0);
  private historyLength = 0;
  private started = false;
  /** The pako stream for small inputs, made on the first. */
  private pako: ZStream | undefined;
  /** Whether `pako` has seen all of this stream's data so far (no rectangle went to Node since). */
  private pakoInSync = false;
  /** Where pako writes; what `inflate` returns from it stays valid until the next call. */
  private pakoOutput = new Uint8Array(0);
  private readonly name: string;

  constructor(name: string) {
    this.name = name;
  }

  reset(): void {
    this.historyLength = 0;
    this.started = false;
    this.pako = undefined;
    this.pakoInSync = false;
  }

  /**
   * Inflates all of `input` and returns the output, valid until the next call. Producing more
   * than `maxOutput` bytes is a protocol error: the caller knows the bound.
   */
  inflate(input: Uint8Array, maxOutput: number): Uint8Array {
    if (input.length === 0) return new Uint8Array(0);
    const out =
      input.length <= SMALL_INPUT
        ? this.inflateWithPako(input, maxOutput)
        : this.inflateWithNode(input, maxOutput);
    this.started = true;
    this.remember(out);
    return out;
  }

  private tooMuch(maxOutput: number) {
    return protocolError(
      `${this.name} data inflates to more than the ${maxOutput} bytes the rectangle can hold`,
    );
  }

  private inflateWithNode(input: Uint8Array, maxOutput: number): Uint8Array {
    this.pakoInSync = false;
    const options: ZlibOptions = {
      finishFlush: constants.Z_SYNC_FLUSH,
      // One byte past the bound, so surplus output is seen rather than cut off.
      maxOutputLength: maxOutput + 1,
      // One chunk for the whole output where it is known (Tight), so nothing is joined.
      chunkSize: Math.max(64, Math.min(maxOutput + 1, MAX_CHUNK)),
    };
    let out: Buffer;
    try {
      if (this.started) {
        if (this.historyLength > 0) options.dictionary = this.window();
        out = inflateRawSync(input, options);
      } else {
        out = inflateSync(input, options);
      }
    } catch (error) {
      const { code, message } = error as { code?: string; message?: string };
      if (code === 'ERR_BUFFER_TOO_LARGE') throw this.tooMuch(maxOutput);
      throw this.corrupt(message ?? code);
    }
    if (out.length > maxOutput) throw this.tooMuch(maxOutput);
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  }

  private inflateWithPako(input: Uint8Array, maxOutput: number): Uint8Array {
    let strm = this.pako;
    if (!strm || !this.pakoInSync) {
      if (!strm) {
        strm = new ZStream();
        if (this.started) zlibInflateInit2(strm, -15);
        else zlibInflateInit(strm);
        this.pako = strm;
      } else {
        zlibInflateReset2(strm, -15);
      }
      if (this.started && this.historyLength > 0) zlibInflateSetDictionary(strm, this.window());
      this.pakoInSync = true;
    }
    if (this.pakoOutput.length < maxOutput + 1) this.pakoOutput = new Uint8Array(maxOutput + 1);
    strm.input = input;
    strm.next_in = 0;
    strm.avail_in = input.length;
    strm.output = this.pakoOutput as Uint8Array<ArrayBuffer>;
    strm.next_out = 0;
    // One byte past the bound, as for Node.
    strm.avail_out = maxOutput + 1;
    const status = zlibInflate(strm, Z_SYNC_FLUSH);
    if ((status < 0 && status !== Z_BUF_ERROR) || status === Z_NEED_DICT) {
      this.pakoInSync = false;
      throw this.corrupt(strm.msg || `status ${status}`);
    }
    if (strm.next_out > maxOutput) throw this.tooMuch(maxOutput);
    return this.pakoOutput.subarray(0, strm.next_out);
  }

  private corrupt(detail: string | undefined) {
    return protocolError(`${this.name} data is corrupt (zlib: ${detail})`);
  }

  /** The last (up to) 32 KiB of output: what later data may refer back to. */
  private window(): Uint8Array {
    return this.history.subarray(Math.max(0, this.historyLength - WINDOW), this.historyLength);
  }

  /** Appends output to the history, keeping at least the window, in a buffer of two windows. */
  private remember(out: Uint8Array): void {
    if (this.history.length === 0) this.history = new Uint8Array(2 * WINDOW);
    if (out.length >= WINDOW) {
      this.history.set(out.subarray(out.length - WINDOW));
      this.historyLength = WINDOW;
      return;
    }
    if (this.historyLength + out.length > this.history.length) {
      this.history.copyWithin(0, this.historyLength - WINDOW, this.historyLength);
      this.historyLength = WINDOW;
    }
    this.history.set(out, this.historyLength);
    this.historyLength += out.length;
  }
}
