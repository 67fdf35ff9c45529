import type { ByteQueue } from '../byte-queue.ts';
import type { PixelConverter } from '../pixel-converter.ts';
import type { UpdateBuilder } from '../update-builder.ts';
import type { ZlibStream } from '../zlib-stream.ts';

/** A rectangle header of a FramebufferUpdate (RFC 6143 §7.6.1). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
  encoding: number;
}

/** What a decoder works with; one per session, the fields change with the session. */
export interface DecodeContext {
  queue: ByteQueue;
  pixels: PixelConverter;
  out: UpdateBuilder;
  /** The session's framebuffer size, for checks (rectangle bounds are checked before decoding). */
  width: number;
  height: number;
  /** Zlib streams that live as long as the connection, by name (e.g. 'zlib', 'zrle'). */
  zlib(name: string): ZlibStream;
}

/**
 * One decoder per encoding, one instance per session. `decode` is called with the queue
 * holding whatever has arrived; it consumes what it can and returns true once the rectangle
 * is complete, or false to be called again, from where it stopped, when more bytes arrive.
 * Malformed data throws an RfbError of kind 'protocol'.
 */
export interface Decoder {
  decode(rect: Rect, ctx: DecodeContext): boolean;
}
