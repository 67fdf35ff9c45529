/**
 * Runs noVNC's own decoders (the @novnc/novnc package) over an FBS recording in Node, so the
 * benchmark compares them with Porthole's on the same bytes. Only the message walking is ours
 * (what noVNC's rfb.js does around its decoders); every rectangle goes through noVNC's
 * decoder and its Websock receive queue, and paints into a real RGBA framebuffer.
 */
import { decode as decodeJpeg } from 'jpeg-js';
import type { FbsBlock } from '../../main/rfb/recording/fbs.ts';

/** What noVNC's decoders call on their display; implemented with plain typed-array work. */
export class MemoryDisplay {
  width = 0;
  height = 0;
  data = new Uint8Array(0);
  private words = new Uint32Array(0);

  /** Black at that size; the memory is kept when the size is the same (as Porthole's Framebuffer). */
  resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
    if (this.data.length === width * height * 4) {
      this.data.fill(0);
      return;
    }
    this.data = new Uint8Array(width * height * 4);
    this.words = new Uint32Array(this.data.buffer);
  }

  fillRect(x: number, y: number, w: number, h: number, colour: number[]): void {
    const word = (colour[0] | (colour[1] << 8) | (colour[2] << 16) | 0xff000000) >>> 0;
    const words = this.words;
    for (let row = y; row < y + h; row++) words.fill(word, row * this.width + x, row * this.width + x + w);
  }

  blitImage(x: number, y: number, w: number, h: number, arr: Uint8Array, offset: number): void {
    for (let row = 0; row < h; row++) {
      const from = offset + row * w * 4;
      this.data.set(arr.subarray(from, from + w * 4), ((y + row) * this.width + x) * 4);
    }
  }

  /**
   * A JPEG of Tight: the browser decodes it (noVNC hands it to an Image). Here it is decoded with
   * jpeg-js when `decodeJpeg` is set (for the picture check), else left aside like Porthole's.
   */
  imageRect(x: number, y: number, w: number, h: number, mime: string, data: Uint8Array): void {
    if (!this.decodeJpeg || mime !== 'image/jpeg') return;
    const image = decodeJpeg(data, { useTArray: true, formatAsRGBA: true });
    this.blitImage(x, y, w, h, image.data, 0);
  }

  /** Decode Tight's JPEG files (with jpeg-js) instead of leaving them to a browser. */
  decodeJpeg = false;

  copyImage(oldX: number, oldY: number, newX: number, newY: number, w: number, h: number): void {
    const stride = this.width * 4;
    const down = newY > oldY;
    for (let i = 0; i < h; i++) {
      const row = down ? h - 1 - i : i;
      const from = (oldY + row) * stride + oldX * 4;
      this.data.copyWithin((newY + row) * stride + newX * 4, from, from + w * 4);
    }
  }
}

interface NoVncDecoder {
  decodeRect(
    x: number,
    y: number,
    w: number,
    h: number,
    sock: Websock,
    display: MemoryDisplay,
    depth: number,
  ): boolean;
}

/** The parts of noVNC's Websock (core/websock.js) the driver uses. */
interface Websock {
  init(): void;
  on(event: 'message', handler: () => void): void;
  rQwait(message: string, bytes: number): boolean;
  rQpeek8(): number;
  rQpeekBytes(length: number, copy?: boolean): Uint8Array;
  rQskipBytes(length: number): void;
  rQshiftBytes(length: number, copy?: boolean): Uint8Array;
  rQlen(): number;
  rQshift16(): number;
  rQshift32(): number;
  _recvMessage(event: { data: ArrayBuffer }): void;
}

export interface NoVnc {
  Websock: new () => Websock;
  decoders: Map<number, new () => NoVncDecoder>;
}

/** Loads noVNC's modules by file: its package exports only core/rfb.js, which needs a browser. */
export async function loadNoVnc(): Promise<NoVnc> {
  // At load time noVNC's logger binds window.console and its Websock reads WebSocket's state
  // constants (Node 20 has no WebSocket); nothing else of either is used here.
  const g = globalThis as { window?: unknown; WebSocket?: unknown };
  g.window ??= globalThis;
  g.WebSocket ??= { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 };
  const root = new URL('../../node_modules/@novnc/novnc/core/', import.meta.url);
  const load = async (path: string) => (await import(new URL(path, root).href)).default;
  const decoders = new Map<number, new () => NoVncDecoder>();
  for (const [encoding, file] of [
    [0, 'raw'],
    [1, 'copyrect'],
    [2, 'rre'],
    [5, 'hextile'],
    [6, 'zlib'],
    [7, 'tight'],
    [16, 'zrle'],
  ] as const) {
    decoders.set(encoding, await load(`decoders/${file}.js`));
  }
  return { Websock: await load('websock.js'), decoders };
}

/**
 * Raw as a plain copy: each row's bytes set into the framebuffer with one `TypedArray.set`, no
 * per-pixel work at all (the alpha byte stays what the server sent): this machine's copy
 * bandwidth on the recording's own bytes, through the same message walker.
 */
class PlainCopyRaw implements NoVncDecoder {
  private lines = 0;

  decodeRect(x: number, y: number, w: number, h: number, sock: Websock, display: MemoryDisplay): boolean {
    if (w === 0 || h === 0) return true;
    if (this.lines === 0) this.lines = h;
    const rowBytes = w * 4;
    const rows = Math.min(this.lines, Math.floor(sock.rQlen() / rowBytes));
    if (rows > 0) {
      const top = y + h - this.lines;
      const bytes = sock.rQshiftBytes(rows * rowBytes, false);
      if (w === display.width) display.data.set(bytes, top * rowBytes);
      else
        for (let row = 0; row < rows; row++)
          display.data.set(
            bytes.subarray(row * rowBytes, (row + 1) * rowBytes),
            ((top + row) * display.width + x) * 4,
          );
      this.lines -= rows;
    }
    return this.lines === 0;
  }
}

export interface ReplayOptions {
  /** Called after each block (for memory sampling; the time is then not meaningful). */
  afterBlock?: () => void;
  /** Decode Tight's JPEG files (with jpeg-js) instead of leaving them to a browser. */
  decodeJpeg?: boolean;
  /** Raw by a plain copy of each row instead of noVNC's Raw decoder. */
  plainCopyRaw?: boolean;
  /** The display to paint into, kept from pass to pass (a live viewer's picture is, too). */
  display?: MemoryDisplay;
}

/** CPU time (user + system) of this process since `start` (from process.cpuUsage()), in seconds. */
export function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

export interface NoVncResult {
  /** CPU seconds of the decoding. */
  seconds: number;
  pixels: number;
  /** How many of each server message type (by number) the recording holds. */
  messages: Record<number, number>;
  /** Bytes of the stream up to the end of its last complete message (a recording may end inside an update). */
  completeBytes: number;
  framebuffer: Uint8Array;
  width: number;
  height: number;
}

/**
 * Plays `blocks` (a Porthole recording: RFB 3.8, security None, 32 bpp RGBX) through noVNC;
 * `afterBlock`, for memory sampling, runs after each block (the time is then not meaningful).
 */
export function replayWithNoVnc(novnc: NoVnc, blocks: FbsBlock[], options: ReplayOptions = {}): NoVncResult {
  const { afterBlock } = options;
  const sock = new novnc.Websock();
  sock.init();
  const display = options.display ?? new MemoryDisplay();
  display.decodeJpeg = options.decodeJpeg ?? false;
  const decoders = new Map<number, NoVncDecoder>(
    [...novnc.decoders].map(([encoding, Decoder]) => [encoding, new Decoder()]),
  );
  if (options.plainCopyRaw) decoders.set(0, new PlainCopyRaw());
  const messages: Record<number, number> = {};
  let stage: 'handshake' | 'messages' = 'handshake';
  let rectsLeft = 0;
  let rect: { x: number; y: number; w: number; h: number; encoding: number } | null = null;
  let pixels = 0;

  /** One step of the stream; false when more bytes are needed. */
  const step = (): boolean => {
    if (stage === 'handshake') {
      if (sock.rQwait('init', 12 + 2 + 4 + 24)) return false;
      const nameLength = new DataView(sock.rQpeekBytes(42, true).buffer).getUint32(38);
      if (sock.rQwait('init', 42 + nameLength)) return false;
      sock.rQskipBytes(18);
      display.resize(sock.rQshift16(), sock.rQshift16());
      sock.rQskipBytes(16 + 4 + nameLength);
      stage = 'messages';
      return true;
    }
    if (rect) {
      if (!decodeOne(rect)) return false;
      rect = null;
      rectsLeft--;
      return true;
    }
    if (rectsLeft > 0) {
      if (sock.rQwait('rect', 12)) return false;
      rect = {
        x: sock.rQshift16(),
        y: sock.rQshift16(),
        w: sock.rQshift16(),
        h: sock.rQshift16(),
        encoding: sock.rQshift32() | 0,
      };
      if (rect.encoding === -224) {
        rect = null;
        rectsLeft = 0;
      }
      return true;
    }
    if (sock.rQwait('message', 1)) return false;
    const type = sock.rQpeek8();
    const handled = readMessage(type);
    if (handled) messages[type] = (messages[type] ?? 0) + 1;
    return handled;
  };

  /** One server message of `type`, or false until all of it is here. */
  const readMessage = (type: number): boolean => {
    if (type === 0) {
      if (sock.rQwait('update', 4)) return false;
      sock.rQskipBytes(2);
      rectsLeft = sock.rQshift16();
      return true;
    }
    if (type === 2) {
      sock.rQskipBytes(1);
      return true;
    }
    if (type === 3) {
      if (sock.rQwait('cut', 8)) return false;
      // A negative length (as S32) is an Extended Clipboard message of |length| bytes.
      const length = Math.abs(new DataView(sock.rQpeekBytes(8, true).buffer).getInt32(4));
      if (sock.rQwait('cut', 8 + length)) return false;
      sock.rQskipBytes(8 + length);
      return true;
    }
    if (type === 150) {
      // EndOfContinuousUpdates: rfb.js notes that the server has them and reads nothing more.
      sock.rQskipBytes(1);
      return true;
    }
    if (type === 248) {
      // Fence (rfbproto "ServerFence"): u8 type, 3 padding, u32 flags, u8 length, payload. rfb.js
      // answers a request (there is no socket to answer on here); the recording client's own
      // fences come back as answers, which noVNC, sending none, never receives: both skipped.
      if (sock.rQwait('fence', 9)) return false;
      const length = sock.rQpeekBytes(9)[8];
      if (sock.rQwait('fence', 9 + length)) return false;
      sock.rQskipBytes(9 + length);
      return true;
    }
    throw new Error(`noVNC driver: message type ${type} in a recording it cannot play`);
  };

  /** A rectangle: noVNC's decoder for real encodings; pseudo-encodings skipped as rfb.js does. */
  const decodeOne = (r: { x: number; y: number; w: number; h: number; encoding: number }): boolean => {
    const decoder = decoders.get(r.encoding);
    if (decoder) {
      if (!decoder.decodeRect(r.x, r.y, r.w, r.h, sock, display, 24)) return false;
      pixels += r.w * r.h;
      return true;
    }
    switch (r.encoding) {
      case -223:
        display.resize(r.w, r.h);
        return true;
      case -308: {
        if (sock.rQwait('screens', 4)) return false;
        const screens = sock.rQpeek8();
        if (sock.rQwait('screens', 4 + 16 * screens)) return false;
        sock.rQskipBytes(4 + 16 * screens);
        if (!(r.x === 1 && r.y !== 0) && (r.w !== display.width || r.h !== display.height))
          display.resize(r.w, r.h);
        return true;
      }
      case -314: {
        // Cursor With Alpha (noVNC asks for the VMware cursor instead): S32 encoding, then Raw RGBA.
        const bytes = 4 + r.w * r.h * 4;
        if (sock.rQwait('cursor', bytes)) return false;
        sock.rQskipBytes(bytes);
        return true;
      }
      case -261:
        // QEMU LED State: one byte.
        if (sock.rQwait('led', 1)) return false;
        sock.rQskipBytes(1);
        return true;
      case -258: // QEMU Extended Key Event
      case -257: // QEMU Pointer Motion Change
      case -316: // Extended Mouse Buttons
        return true;
      case -239: {
        const bytes = r.w * r.h * 4 + Math.ceil(r.w / 8) * r.h;
        if (sock.rQwait('cursor', bytes)) return false;
        sock.rQskipBytes(bytes);
        return true;
      }
      case -307: {
        if (sock.rQwait('name', 4)) return false;
        const length = new DataView(sock.rQpeekBytes(4, true).buffer).getUint32(0);
        if (sock.rQwait('name', 4 + length)) return false;
        sock.rQskipBytes(4 + length);
        return true;
      }
      default:
        throw new Error(`noVNC driver: encoding ${r.encoding} in a recording it cannot play`);
    }
  };

  let received = 0;
  let completeBytes = 0;
  sock.on('message', () => {
    while (step()) {
      if (stage === 'messages' && !rect && rectsLeft === 0) completeBytes = received - sock.rQlen();
    }
  });
  // A browser hands noVNC each WebSocket message as its own ArrayBuffer; make them beforehand.
  const frames = blocks.map((block) => new Uint8Array(block.data).buffer);
  const start = process.cpuUsage();
  if (afterBlock) {
    for (const data of frames) {
      received += data.byteLength;
      sock._recvMessage({ data });
      afterBlock();
    }
  } else {
    for (const data of frames) {
      received += data.byteLength;
      sock._recvMessage({ data });
    }
  }
  const seconds = cpuSecondsSince(start);
  return {
    seconds,
    pixels,
    messages,
    completeBytes,
    framebuffer: display.data,
    width: display.width,
    height: display.height,
  };
}
