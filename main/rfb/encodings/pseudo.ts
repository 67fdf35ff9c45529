import { protocolError } from '../../../shared/rfb-error.ts';
import type { ByteQueue } from '../byte-queue.ts';
import type { Screen } from '../client-messages.ts';
import { Encoding } from '../constants.ts';
import type { PixelConverter } from '../pixel-converter.ts';
import type { UpdateBuilder } from '../update-builder.ts';
import type { Rect } from './decoder.ts';

/**
 * Parsers for the pseudo-encodings whose rectangles carry data beyond the header (rfbproto
 * "Pseudo-encodings"). Each looks at the queue without consuming until the whole payload is
 * there, then consumes it: they can be called again with more bytes, any number of times.
 */

/** The screens of an ExtendedDesktopSize rectangle: u8 count, 3 bytes padding, 16-byte SCREENs. */
export function readScreens(q: ByteQueue): Screen[] | undefined {
  if (!q.has(4)) return undefined;
  const count = q.peekU8();
  if (!q.has(4 + count * 16)) return undefined;
  q.consume(4);
  const screens: Screen[] = [];
  for (let i = 0; i < count; i++) {
    screens.push({ id: q.u32(), x: q.u16(), y: q.u16(), width: q.u16(), height: q.u16(), flags: q.u32() });
  }
  return screens;
}

/** What became of a SetDesktopSize request: the status of the ExtendedDesktopSize answer (reason 1). */
export interface DesktopSizeResult {
  /** 0 no error, 1 prohibited, 2 out of resources, 3 invalid screen layout, 4 forwarded (QEMU). */
  status: number;
  /** True when the server changed the size as asked. */
  ok: boolean;
  /** The size asked for. */
  width: number;
  height: number;
  message: string;
}

/** A person's sentence for an ExtendedDesktopSize status (rfbproto "ExtendedDesktopSize Pseudo-encoding"). */
export function desktopSizeMessage(status: number, width: number, height: number): string {
  switch (status) {
    case 0:
      return `The remote desktop is now ${width}×${height}`;
    case 1:
      return 'The server does not allow changing the desktop size (resize is administratively prohibited)';
    case 2:
      return `The server has not enough resources for a ${width}×${height} desktop`;
    case 3:
      return `The server rejected the screen layout for ${width}×${height} as invalid`;
    case 4:
      // QEMU passes the request to the guest's display driver and answers at once (ui/vnc.c).
      return `The request for ${width}×${height} was forwarded to the guest, whose display driver may or may not follow it`;
    default:
      return `The server refused ${width}×${height} (status ${status}, unknown failure)`;
  }
}

/**
 * Cursor With Alpha (-314; rfbproto "Cursor With Alpha Pseudo-encoding"): after the header, an
 * S32 encoding, then the image in that encoding as 32-bit pixels, bytes red, green, blue,
 * alpha, with alpha pre-multiplied. Servers (TigerVNC, QEMU) send it Raw; another encoding is
 * reported as an error. Pixels become the `cursor` op's straight (not pre-multiplied) RGBA.
 * Returns false until the whole image is here.
 */
export function readCursorWithAlpha(
  q: ByteQueue,
  rect: Rect,
  out: UpdateBuilder,
  maxPixels: number,
): boolean {
  const { width, height } = rect;
  if (width * height > maxPixels) {
    throw protocolError(
      `the server sent a ${width}x${height} cursor with alpha, larger than any cursor (at most ${maxPixels} pixels)`,
    );
  }
  if (!q.has(4)) return false;
  const encoding = q.peekU32() | 0;
  if (encoding !== Encoding.Raw) {
    throw protocolError(
      `the server sent a cursor with alpha in encoding ${encoding}; this viewer reads it only in Raw (0)`,
    );
  }
  const bytes = width * height * 4;
  if (!q.has(4 + bytes)) return false;
  q.consume(4);
  const base = beginCursor(rect, out);
  const words = out.words;
  const src = q.buf;
  for (let i = 0, o = q.pos; i < width * height; i++, o += 4) {
    const a = src[o + 3];
    words[base + i] = a === 0 ? 0 : unpremultiply(src[o], src[o + 1], src[o + 2], a);
  }
  q.consume(bytes);
  return true;
}

/** Cursor pseudo-encoding (RFC 6143 §7.8.1): PIXELs, then a 1-bit mask with rows padded to bytes. */
export function readCursor(
  q: ByteQueue,
  rect: Rect,
  out: UpdateBuilder,
  px: PixelConverter,
  maxPixels: number,
): boolean {
  const { width, height } = rect;
  if (width * height > maxPixels) {
    throw protocolError(
      `the server sent a ${width}x${height} cursor, larger than any cursor (at most ${maxPixels} pixels)`,
    );
  }
  const pixelBytes = width * height * px.bytesPerPixel;
  const maskRow = (width + 7) >> 3;
  if (!q.has(pixelBytes + maskRow * height)) return false;
  const base = beginCursor(rect, out);
  const words = out.words;
  px.convert(q.buf, q.pos, words, base, width * height);
  q.consume(pixelBytes);
  const mask = q.bytes(maskRow * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!(mask[y * maskRow + (x >> 3)] & (0x80 >> (x & 7)))) words[base + y * width + x] = 0;
    }
  }
  return true;
}

/** Queues a `cursor` op for `rect` (x, y: the hotspot, clamped into the image); returns its word offset. */
function beginCursor(rect: Rect, out: UpdateBuilder): number {
  const hotX = Math.min(rect.x, Math.max(0, rect.width - 1));
  const hotY = Math.min(rect.y, Math.max(0, rect.height - 1));
  return out.beginCursor(hotX, hotY, rect.width, rect.height);
}

/** One pre-multiplied RGBA pixel as a straight-alpha canonical word (0xAABBGGRR). */
export function unpremultiply(r: number, g: number, b: number, a: number): number {
  if (a === 255) return (r | (g << 8) | (b << 16) | 0xff000000) >>> 0;
  return (unscale(r, a) | (unscale(g, a) << 8) | (unscale(b, a) << 16) | (a << 24)) >>> 0;
}

function unscale(v: number, a: number): number {
  return Math.min(255, Math.round((v * 255) / a));
}

/** QEMU LED State (-261): one byte, bit 0 Scroll Lock, bit 1 Num Lock, bit 2 Caps Lock. */
export interface LedState {
  scrollLock: boolean;
  numLock: boolean;
  capsLock: boolean;
}

export function ledState(bits: number): LedState {
  return { scrollLock: (bits & 1) !== 0, numLock: (bits & 2) !== 0, capsLock: (bits & 4) !== 0 };
}
