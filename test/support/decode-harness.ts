import { Deflate, Z_SYNC_FLUSH } from 'pako';
import { ByteQueue } from '../../main/rfb/byte-queue.ts';
import type { DecodeContext, Decoder, Rect } from '../../main/rfb/encodings/decoder.ts';
import { PixelConverter } from '../../main/rfb/pixel-converter.ts';
import type { PixelFormat } from '../../main/rfb/pixel-format.ts';
import { UpdateBuilder } from '../../main/rfb/update-builder.ts';
import { ZlibStream } from '../../main/rfb/zlib-stream.ts';
import type { DrawBatch, DrawOp } from '../../shared/draw-ops.ts';
import { Framebuffer } from '../../shared/framebuffer.ts';

/**
 * Runs decoders the way a session does, over bytes written by a test, and paints the result
 * into a Framebuffer. `chunkSize` splits the input so every resume point is exercised.
 */
export class DecoderHarness {
  readonly fb: Framebuffer;
  readonly ops: DrawOp[] = [];
  readonly converter: PixelConverter;
  private readonly queue = new ByteQueue(16);
  private readonly out: UpdateBuilder;
  private readonly streams = new Map<string, ZlibStream>();
  private readonly ctx: DecodeContext;

  constructor(format: PixelFormat, width: number, height: number) {
    this.fb = new Framebuffer(width, height);
    this.converter = new PixelConverter(format);
    this.out = new UpdateBuilder((batch: DrawBatch) => {
      this.ops.push(...batch.ops);
      this.fb.apply(batch);
    });
    this.ctx = {
      queue: this.queue,
      pixels: this.converter,
      out: this.out,
      width,
      height,
      zlib: (name) => {
        let stream = this.streams.get(name);
        if (!stream) {
          stream = new ZlibStream(name);
          this.streams.set(name, stream);
        }
        return stream;
      },
    };
  }

  /** Decodes one rectangle from `bytes`, which must hold exactly that rectangle's data. */
  decode(decoder: Decoder, rect: Rect, bytes: Uint8Array, chunkSize = bytes.length || 1): void {
    let offset = 0;
    let done = false;
    do {
      const end = Math.min(bytes.length, offset + chunkSize);
      if (end > offset) this.queue.push(bytes.subarray(offset, end));
      offset = end;
      done = decoder.decode(rect, this.ctx);
    } while (!done && offset < bytes.length);
    if (!done) throw new Error(`decoder wanted more than the ${bytes.length} bytes given`);
    if (this.queue.length !== 0)
      throw new Error(`decoder left ${this.queue.length} of ${bytes.length} bytes unread`);
    this.out.flush(true);
  }

  /** The RGBA word at (x, y). */
  pixel(x: number, y: number): number {
    const d = this.fb.data;
    const i = (y * this.fb.width + x) * 4;
    return (d[i] | (d[i + 1] << 8) | (d[i + 2] << 16) | (d[i + 3] << 24)) >>> 0;
  }
}

/** A growable byte writer for building test vectors from the spec. */
export class Bytes {
  private data: number[] = [];
  u8(...values: number[]): this {
    for (const v of values) this.data.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v >> 8, v);
  }
  u32(v: number): this {
    return this.u8(v >>> 24, v >>> 16, v >>> 8, v);
  }
  s32(v: number): this {
    return this.u32(v >>> 0);
  }
  raw(bytes: ArrayLike<number>): this {
    for (let i = 0; i < bytes.length; i++) this.data.push(bytes[i] & 0xff);
    return this;
  }
  get length(): number {
    return this.data.length;
  }
  build(): Uint8Array {
    return Uint8Array.from(this.data);
  }
}

/** A server's side of a connection-long zlib stream (Zlib, ZRLE): one deflater, sync-flushed per rectangle. */
export class ServerDeflater {
  private readonly deflater = new Deflate();
  private chunks: Uint8Array[] = [];

  constructor() {
    this.deflater.onData = (chunk: Uint8Array) => this.chunks.push(chunk);
  }

  compress(data: Uint8Array): Uint8Array {
    this.chunks = [];
    this.deflater.push(data, Z_SYNC_FLUSH);
    return new Bytes().raw(this.chunks.flatMap((c) => Array.from(c))).build();
  }

  /** A rectangle's payload: u32 length, then the compressed data. */
  message(data: Uint8Array): Uint8Array {
    const compressed = this.compress(data);
    return new Bytes().u32(compressed.length).raw(compressed).build();
  }
}

/** The framebuffer's RGBA word (little-endian R, G, B, A = 255) for channels r, g, b. */
export const rgba = (r: number, g: number, b: number) => (r | (g << 8) | (b << 16) | 0xff000000) >>> 0;

/** A channel value `v` of maximum `max` scaled to 0-255 rounded to nearest. */
export const scale = (v: number, max: number) => Math.round((v * 255) / max);

/** The colour the tests' 8-bit colour map holds at index `i`. */
export const mapEntry = (i: number): [number, number, number] => [i, 255 - i, (i * 7) & 255];

/** A harness for `format`; in colour-map mode the map holds `mapEntry(i)` at every index. */
export function formatHarness(format: PixelFormat, width: number, height: number): DecoderHarness {
  const h = new DecoderHarness(format, width, height);
  if (!format.trueColour) {
    const map = new Uint16Array(256 * 3);
    for (let i = 0; i < 256; i++)
      map.set(
        mapEntry(i).map((c) => c * 257),
        i * 3,
      );
    h.converter.setColourMapEntries(0, map);
  }
  return h;
}

/** A true-colour format (depth 24 at 32 bpp) with the given maxima and shifts. */
export const trueColour = (
  bitsPerPixel: number,
  bigEndian: boolean,
  max: [number, number, number],
  shift: [number, number, number],
): PixelFormat => ({
  bitsPerPixel,
  depth: bitsPerPixel === 32 ? 24 : bitsPerPixel,
  bigEndian,
  trueColour: true,
  redMax: max[0],
  greenMax: max[1],
  blueMax: max[2],
  redShift: shift[0],
  greenShift: shift[1],
  blueShift: shift[2],
});
