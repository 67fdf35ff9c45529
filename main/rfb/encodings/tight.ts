/*
 * Over 400 lines on purpose: Tight (rfbproto "Tight Encoding") is one rectangle format with
 * its compact length, four zlib streams, the copy, palette and gradient filters, fill, JPEG
 * and PNG, read incrementally from the byte queue; the filters are hot loops written out.
 */
import { decode as decodePng } from 'fast-png';
import { protocolError } from '../../../shared/rfb-error.ts';
import type { ByteQueue } from '../byte-queue.ts';
import { Encoding } from '../constants.ts';
import { expandChannel, type PixelConverter } from '../pixel-converter.ts';
import type { DecodeContext, Decoder, Rect } from './decoder.ts';

const OPAQUE = 0xff000000;

/** The largest length a compact length (1–3 bytes, 7 + 7 + 8 bits) can express: just under 4 MiB. */
export const MAX_TIGHT_LENGTH = (1 << 22) - 1;

/** Filtered data shorter than this is sent as is, without zlib ("Tight Encoding" in rfbproto). */
export const TIGHT_MIN_TO_COMPRESS = 12;

const FILL = 0x8;
const JPEG = 0x9;
/** TightPNG only (rfbproto "TightPNG Encoding"): a compact length, then a PNG file. */
const PNG = 0xa;
const COPY_FILTER = 0;
const PALETTE_FILTER = 1;
const GRADIENT_FILTER = 2;

/** The names of the four zlib streams a Tight connection keeps. */
export const TIGHT_STREAMS = ['tight0', 'tight1', 'tight2', 'tight3'] as const;

const where = (r: Rect) =>
  `${r.encoding === Encoding.TightPng ? 'TightPNG' : 'Tight'} rectangle ${r.width}x${r.height} at ${r.x},${r.y}`;

/**
 * Size of a TPIXEL: 3 bytes (red, green, blue, in that order whatever the shifts and byte order)
 * when the format is true colour, 32 bpp, depth 24, with every channel exactly 8 bits wide;
 * otherwise a PIXEL. This is not the CPIXEL rule: a CPIXEL is also 3 bytes for depths below 24
 * or narrower channels, and keeps the PIXEL's own byte order.
 */
export function bytesPerTPixel(px: PixelConverter): number {
  const f = px.format;
  const is888 =
    f.trueColour &&
    f.bitsPerPixel === 32 &&
    f.depth === 24 &&
    f.redMax === 255 &&
    f.greenMax === 255 &&
    f.blueMax === 255;
  return is888 ? 3 : px.bytesPerPixel;
}

/** The canonical RGBA word of the TPIXEL at `src[off]`. */
function readTPixel(px: PixelConverter, tpx: number, src: Uint8Array, off: number): number {
  if (tpx === 3) return (src[off] | (src[off + 1] << 8) | (src[off + 2] << 16) | OPAQUE) >>> 0;
  return px.readPixel(src, off);
}

/** What a BasicCompression rectangle holds, found by looking at the queue without consuming. */
interface Basic {
  stream: number;
  filter: number;
  /** Offset (from the queue position) and number of colours of the palette, for the palette filter. */
  paletteOff: number;
  paletteSize: number;
  /** Size of the filtered data: what the zlib data must inflate to, or what is sent as is. */
  rawSize: number;
  /** Offset and length of the data on the wire (compressed or not). */
  dataOff: number;
  dataLen: number;
  compressed: boolean;
}

/**
 * Tight (encoding 7; "Tight Encoding" in rfbproto): FillCompression, BasicCompression with
 * the copy, palette and gradient filters over four zlib streams that last as long as the
 * connection, and JpegCompression (a compact length, then a JPEG file), which a server uses
 * only once the viewer sent a JPEG quality level. The JPEG file travels to the painter as a
 * `jpeg` draw op, undecoded. The rectangle is parsed from the queue without consuming until
 * all of its bytes are there, so no state is kept between calls and the stream resets the
 * control byte asks for happen exactly once.
 */
export class TightDecoder implements Decoder {
  /**
   * With `png` this is TightPNG (encoding -260, rfbproto "TightPNG Encoding"): control method
   * 0xA carries a PNG file. BasicCompression stays accepted: QEMU's tight-png falls back to it
   * where PNG cannot carry the pixel format (8 bpp).
   */
  constructor(private readonly png = false) {}

  decode(rect: Rect, ctx: DecodeContext): boolean {
    const { queue: q, pixels: px } = ctx;
    if (!q.has(1)) return false;
    const control = q.peekU8();
    const method = control >> 4;
    const tpx = bytesPerTPixel(px);

    if (method === FILL) {
      if (!q.has(1 + tpx)) return false;
      resetStreams(control, ctx);
      const colour = readTPixel(px, tpx, q.buf, q.pos + 1);
      q.consume(1 + tpx);
      ctx.out.fill(rect.x, rect.y, rect.width, rect.height, colour);
      return true;
    }
    if (method === JPEG) return this.decodeJpeg(rect, ctx, control);
    if (method === PNG && this.png) return this.decodePng(rect, ctx, control);
    if (method > JPEG) {
      throw protocolError(
        `${where(rect)} has an invalid compression control byte 0x${control.toString(16).padStart(2, '0')}`,
      );
    }

    const basic = this.parseBasic(rect, ctx, control, tpx);
    if (!basic) return false;
    resetStreams(control, ctx);
    this.paintBasic(rect, ctx, basic, tpx);
    q.consume(basic.dataOff + basic.dataLen);
    return true;
  }

  /**
   * JpegCompression (rfbproto "Tight Encoding"): control byte 0x9X, a compact length, then
   * that many bytes of a JPEG file whose picture is the rectangle. The bytes are copied into
   * the batch as a `jpeg` op; the painter decodes them. Servers send it only for 16 and 32 bpp
   * true-colour formats (rfbproto: JPEG is not used with colour maps or 8 bpp).
   */
  private decodeJpeg(rect: Rect, ctx: DecodeContext, control: number): boolean {
    const { queue: q, pixels: px } = ctx;
    const f = px.format;
    if (!f.trueColour || f.bitsPerPixel < 16) {
      throw protocolError(
        `${where(rect)} uses JPEG compression, which needs a 16 or 32 bpp true-colour format (the session uses ${f.bitsPerPixel} bpp${f.trueColour ? '' : ' with a colour map'})`,
        'The server does not follow the protocol; choose picture quality High or another colour level',
      );
    }
    const found = findFile(q, rect, 'JPEG');
    if (!found) return false;
    resetStreams(control, ctx);
    if (rect.width > 0 && rect.height > 0) {
      const at = ctx.out.beginBytes(rect.x, rect.y, rect.width, rect.height, found.file.length);
      ctx.out.bytes.set(found.file, at);
    }
    q.consume(found.size);
    return true;
  }

  /**
   * PngCompression (TightPNG): control byte 0xAX, a compact length, a PNG file whose picture is
   * the rectangle in 8-bit RGB(A), grey or palette form, whatever the session's pixel format.
   * Decoded here (fast-png): the picture must be lossless and the decoded size is checked
   * against the PNG header before any pixel is allocated.
   */
  private decodePng(rect: Rect, ctx: DecodeContext, control: number): boolean {
    const q = ctx.queue;
    const found = findFile(q, rect, 'PNG');
    if (!found) return false;
    resetStreams(control, ctx);
    paintPng(rect, ctx, found.file);
    q.consume(found.size);
    return true;
  }

  /** Looks through a BasicCompression rectangle; undefined until all of it has arrived. */
  private parseBasic(rect: Rect, ctx: DecodeContext, control: number, tpx: number): Basic | undefined {
    const { queue: q, pixels: px } = ctx;
    const { width: w, height: h } = rect;
    let off = 1;
    let filter = COPY_FILTER;
    if (control & 0x40) {
      if (!q.has(2)) return undefined;
      filter = q.peekU8(1);
      off = 2;
    }
    let paletteOff = 0;
    let paletteSize = 0;
    let rawSize: number;
    switch (filter) {
      case COPY_FILTER:
        rawSize = w * h * tpx;
        break;
      case PALETTE_FILTER:
        if (!q.has(off + 1)) return undefined;
        paletteSize = q.peekU8(off) + 1;
        off++;
        paletteOff = off;
        off += paletteSize * tpx;
        rawSize = paletteSize === 2 ? ((w + 7) >> 3) * h : w * h;
        break;
      case GRADIENT_FILTER: {
        const f = px.format;
        if (!f.trueColour || (f.bitsPerPixel !== 16 && f.bitsPerPixel !== 32)) {
          throw protocolError(
            `${where(rect)} uses the gradient filter, which needs a 16 or 32 bpp true-colour format (the session uses ${f.bitsPerPixel} bpp${f.trueColour ? '' : ' with a colour map'})`,
          );
        }
        rawSize = w * h * tpx;
        break;
      }
      default:
        throw protocolError(
          `${where(rect)} uses filter ${filter}, which does not exist (0, 1 or 2 expected)`,
        );
    }

    const basic = (dataOff: number, dataLen: number, compressed: boolean): Basic => ({
      stream: (control >> 4) & 3,
      filter,
      paletteOff,
      paletteSize,
      rawSize,
      dataOff,
      dataLen,
      compressed,
    });
    if (rawSize < TIGHT_MIN_TO_COMPRESS) {
      return q.has(off + rawSize) ? basic(off, rawSize, false) : undefined;
    }
    const compact = readCompactLength(q, off);
    if (!compact) return undefined;
    const { length, bytes: lengthBytes } = compact;
    if (length === 0) {
      throw protocolError(
        `${where(rect)} has no compressed data, yet its ${rawSize} bytes of pixels must be compressed`,
      );
    }
    off += lengthBytes;
    return q.has(off + length) ? basic(off, length, true) : undefined;
  }

  private paintBasic(rect: Rect, ctx: DecodeContext, b: Basic, tpx: number): void {
    const { queue: q, pixels: px, out } = ctx;
    const { width: w, height: h } = rect;
    const src = q.buf;
    const start = q.pos;
    let data = src.subarray(start + b.dataOff, start + b.dataOff + b.dataLen);
    if (b.compressed) {
      data = ctx.zlib(TIGHT_STREAMS[b.stream]).inflate(data, b.rawSize);
      if (data.length !== b.rawSize) {
        throw protocolError(
          `${where(rect)}: its zlib data (stream ${b.stream}) inflates to ${data.length} bytes instead of ${b.rawSize}`,
        );
      }
    }
    const count = w * h;
    if (count === 0) return;

    if (b.filter === PALETTE_FILTER) {
      const palette = new Uint32Array(b.paletteSize);
      for (let i = 0; i < b.paletteSize; i++)
        palette[i] = readTPixel(px, tpx, src, start + b.paletteOff + i * tpx);
      const base = out.beginPixels(rect.x, rect.y, w, h);
      const dst = out.words;
      if (b.paletteSize === 2) {
        const c0 = palette[0];
        const c1 = palette[1];
        const rowBytes = (w + 7) >> 3;
        const whole = w >> 3;
        for (let y = 0; y < h; y++) {
          const row = y * rowBytes;
          let o = base + y * w;
          // Eight pixels per byte, most significant bit first.
          for (let k = 0; k < whole; k++, o += 8) {
            const bits = data[row + k];
            dst[o] = bits & 0x80 ? c1 : c0;
            dst[o + 1] = bits & 0x40 ? c1 : c0;
            dst[o + 2] = bits & 0x20 ? c1 : c0;
            dst[o + 3] = bits & 0x10 ? c1 : c0;
            dst[o + 4] = bits & 0x08 ? c1 : c0;
            dst[o + 5] = bits & 0x04 ? c1 : c0;
            dst[o + 6] = bits & 0x02 ? c1 : c0;
            dst[o + 7] = bits & 0x01 ? c1 : c0;
          }
          const bits = data[row + whole];
          for (let x = whole << 3, bit = 0x80; x < w; x++, o++, bit >>= 1) dst[o] = bits & bit ? c1 : c0;
        }
      } else {
        // Check every index first, so the painting loop has no branch.
        for (let i = 0; i < count; i++) {
          if (data[i] >= b.paletteSize) {
            throw protocolError(
              `${where(rect)}: pixel ${i % w},${Math.floor(i / w)} uses palette entry ${data[i]} of a ${b.paletteSize}-colour palette`,
            );
          }
        }
        for (let i = 0; i < count; i++) dst[base + i] = palette[data[i]];
      }
      return;
    }

    const base = out.beginPixels(rect.x, rect.y, w, h);
    const dst = out.words;
    if (b.filter === GRADIENT_FILTER) {
      if (tpx === 3) gradient888(data, dst, base, w, h);
      else gradientPixels(px, data, dst, base, w, h);
    } else if (tpx === 3) {
      for (let i = 0, o = 0; i < count; i++, o += 3) {
        dst[base + i] = (data[o] | (data[o + 1] << 8) | (data[o + 2] << 16) | OPAQUE) >>> 0;
      }
    } else {
      px.convert(data, 0, dst, base, count);
    }
  }
}

/**
 * A compact length at `off` from the queue position: 7 bits, 7 bits, then 8 bits, least
 * significant first (rfbproto "Tight Encoding"); undefined until all of its bytes are there.
 */
function readCompactLength(q: ByteQueue, off: number): { length: number; bytes: number } | undefined {
  if (!q.has(off + 1)) return undefined;
  const b0 = q.peekU8(off);
  let length = b0 & 0x7f;
  if (!(b0 & 0x80)) return { length, bytes: 1 };
  if (!q.has(off + 2)) return undefined;
  const b1 = q.peekU8(off + 1);
  length |= (b1 & 0x7f) << 7;
  if (!(b1 & 0x80)) return { length, bytes: 2 };
  if (!q.has(off + 3)) return undefined;
  return { length: length | (q.peekU8(off + 2) << 14), bytes: 3 };
}

/**
 * The file after a JPEG or PNG control byte: a compact length, then that many bytes. Returns a
 * view of the file in the queue and the bytes the whole rectangle takes (control byte, length,
 * file), or undefined until all of it has arrived. Nothing is consumed.
 */
function findFile(
  q: ByteQueue,
  rect: Rect,
  kind: 'JPEG' | 'PNG',
): { file: Uint8Array; size: number } | undefined {
  const compact = readCompactLength(q, 1);
  if (!compact) return undefined;
  const { length } = compact;
  if (length === 0 || length > MAX_TIGHT_LENGTH) {
    throw protocolError(
      `${where(rect)} has a ${kind} image of ${length} bytes (1 to ${MAX_TIGHT_LENGTH} expected)`,
    );
  }
  const start = q.pos + 1 + compact.bytes;
  const size = 1 + compact.bytes + length;
  if (!q.has(size)) return undefined;
  return { file: q.buf.subarray(start, start + length), size };
}

function resetStreams(control: number, ctx: DecodeContext): void {
  for (let i = 0; i < 4; i++) if (control & (1 << i)) ctx.zlib(TIGHT_STREAMS[i]).reset();
}

/** The predicted channel value: left + up − up-left, clamped to 0..max. */
function predict(left: number, up: number, upLeft: number, max: number): number {
  const p = left + up - upLeft;
  return p < 0 ? 0 : p > max ? max : p;
}

/** Gradient filter over 3-byte TPIXELs (red, green, blue): each byte is a difference from the prediction. */
function gradient888(data: Uint8Array, dst: Uint32Array, base: number, w: number, h: number): void {
  const stride = w * 3;
  const prev = new Uint8Array(stride);
  const cur = new Uint8Array(stride);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = x * 3;
      const i = y * stride + o;
      for (let c = 0; c < 3; c++) {
        const left = x > 0 ? cur[o - 3 + c] : 0;
        const upLeft = x > 0 ? prev[o - 3 + c] : 0;
        cur[o + c] = (predict(left, prev[o + c], upLeft, 255) + data[i + c]) & 255;
      }
      dst[base + y * w + x] = (cur[o] | (cur[o + 1] << 8) | (cur[o + 2] << 16) | OPAQUE) >>> 0;
    }
    prev.set(cur);
  }
}

/**
 * Gradient filter over whole PIXELs (16 bpp, or 32 bpp that is not 8-8-8 in depth 24): each
 * channel field of the pixel value holds the difference from the prediction, modulo max + 1
 * (as libvncserver's and TightVNC's encoders compute it).
 */
function gradientPixels(
  px: PixelConverter,
  data: Uint8Array,
  dst: Uint32Array,
  base: number,
  w: number,
  h: number,
): void {
  const f = px.format;
  const maxima = [f.redMax, f.greenMax, f.blueMax];
  const shifts = [f.redShift, f.greenShift, f.blueShift];
  const tables = maxima.map((max) => {
    const t = new Uint8Array(max + 1);
    for (let v = 0; v <= max; v++) t[v] = expandChannel(v, max);
    return t;
  });
  const bpp = px.bytesPerPixel;
  const stride = w * 3;
  const prev = new Uint16Array(stride);
  const cur = new Uint16Array(stride);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * bpp;
      let v: number;
      if (bpp === 2) v = f.bigEndian ? (data[i] << 8) | data[i + 1] : data[i] | (data[i + 1] << 8);
      else if (f.bigEndian)
        v = ((data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3]) >>> 0;
      else v = ((data[i + 3] << 24) | (data[i + 2] << 16) | (data[i + 1] << 8) | data[i]) >>> 0;
      const o = x * 3;
      for (let c = 0; c < 3; c++) {
        const max = maxima[c];
        const left = x > 0 ? cur[o - 3 + c] : 0;
        const upLeft = x > 0 ? prev[o - 3 + c] : 0;
        const diff = (v >>> shifts[c]) & max;
        // The encoder's difference wrapped modulo max + 1; so does the sum.
        cur[o + c] = (predict(left, prev[o + c], upLeft, max) + diff) % (max + 1);
      }
      dst[base + y * w + x] =
        (tables[0][cur[o]] | (tables[1][cur[o + 1]] << 8) | (tables[2][cur[o + 2]] << 16) | OPAQUE) >>> 0;
    }
    prev.set(cur);
  }
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Decodes a TightPNG file and paints it as a `pixels` op; any mismatch is a protocol error. */
function paintPng(rect: Rect, ctx: DecodeContext, file: Uint8Array): void {
  const { width: w, height: h } = rect;
  // Signature, then the IHDR chunk: length, "IHDR", width, height (PNG spec §5.2, §11.2.2).
  const header = file.length >= 24 && PNG_SIGNATURE.every((b, i) => file[i] === b);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (!header || view.getUint32(12) !== 0x49484452) {
    throw protocolError(`${where(rect)}: its PNG data does not start with a PNG header`);
  }
  const pngWidth = view.getUint32(16);
  const pngHeight = view.getUint32(20);
  if (pngWidth !== w || pngHeight !== h) {
    throw protocolError(
      `${where(rect)}: its PNG image is ${pngWidth}x${pngHeight}, not the rectangle's size`,
    );
  }
  if (w === 0 || h === 0) return;
  let png: ReturnType<typeof decodePng>;
  try {
    png = decodePng(file);
  } catch (error) {
    throw protocolError(`${where(rect)}: its PNG image cannot be decoded (${(error as Error).message})`);
  }
  const base = ctx.out.beginPixels(rect.x, rect.y, w, h);
  const dst = ctx.out.words;
  const count = w * h;
  const data = png.data;
  const depth = png.depth;
  if (png.palette || depth < 8) {
    // Palette indices, or grey levels narrower than a byte: packed, rows padded to bytes.
    const mask = (1 << depth) - 1;
    const colours = new Uint32Array(mask + 1);
    const entries = png.palette ? png.palette.length : mask + 1;
    for (let i = 0; i < entries && i <= mask; i++) {
      const c = png.palette ? png.palette[i] : [0, 0, 0].fill(Math.round((i * 255) / mask));
      colours[i] = (c[0] | (c[1] << 8) | (c[2] << 16) | OPAQUE) >>> 0;
    }
    const rowBytes = Math.ceil((w * depth) / 8);
    const perByte = 8 / depth;
    if (data.length < rowBytes * h) {
      throw protocolError(`${where(rect)}: its PNG image holds fewer pixels than its size says`);
    }
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const byte = data[y * rowBytes + Math.floor(x / perByte)];
        const index = (byte >> (8 - depth * ((x % perByte) + 1))) & mask;
        if (index >= entries) {
          throw protocolError(
            `${where(rect)}: PNG pixel ${x},${y} uses palette entry ${index} of ${entries}`,
          );
        }
        dst[base + y * w + x] = colours[index];
      }
    }
    return;
  }
  // 16-bit samples keep their high byte; alpha is dropped (the framebuffer is opaque).
  const shift = png.depth === 16 ? 8 : 0;
  const channels = png.channels;
  if (data.length < count * channels) {
    throw protocolError(`${where(rect)}: its PNG image holds fewer pixels than its size says`);
  }
  if (channels >= 3) {
    for (let i = 0, o = 0; i < count; i++, o += channels) {
      dst[base + i] =
        ((data[o] >> shift) | ((data[o + 1] >> shift) << 8) | ((data[o + 2] >> shift) << 16) | OPAQUE) >>> 0;
    }
  } else {
    for (let i = 0, o = 0; i < count; i++, o += channels) {
      const v = data[o] >> shift;
      dst[base + i] = (v | (v << 8) | (v << 16) | OPAQUE) >>> 0;
    }
  }
}
