import { ClientMessage } from './constants.ts';
import { type PixelFormat, writePixelFormat } from './pixel-format.ts';

/** Client-to-server messages, RFC 6143 §7.5. Each returns the exact bytes to send. */

export function setPixelFormat(pf: PixelFormat): Uint8Array {
  const out = new Uint8Array(20);
  out[0] = ClientMessage.SetPixelFormat;
  writePixelFormat(pf, out, 4);
  return out;
}

export function setEncodings(encodings: readonly number[]): Uint8Array {
  const out = new Uint8Array(4 + encodings.length * 4);
  const view = new DataView(out.buffer);
  out[0] = ClientMessage.SetEncodings;
  view.setUint16(2, encodings.length);
  for (let i = 0; i < encodings.length; i++) view.setInt32(4 + i * 4, encodings[i]);
  return out;
}

/** FramebufferUpdateRequest (RFC 6143 §7.5.3). */
export function framebufferUpdateRequest(
  incremental: boolean,
  x: number,
  y: number,
  width: number,
  height: number,
): Uint8Array {
  return areaMessage(ClientMessage.FramebufferUpdateRequest, incremental, x, y, width, height);
}

/** The 10-byte shape FramebufferUpdateRequest and EnableContinuousUpdates share: type, flag, x, y, w, h. */
function areaMessage(
  type: number,
  flag: boolean,
  x: number,
  y: number,
  width: number,
  height: number,
): Uint8Array {
  const out = new Uint8Array(10);
  const view = new DataView(out.buffer);
  out[0] = type;
  out[1] = flag ? 1 : 0;
  view.setUint16(2, x);
  view.setUint16(4, y);
  view.setUint16(6, width);
  view.setUint16(8, height);
  return out;
}

export function keyEvent(keysym: number, down: boolean): Uint8Array {
  const out = new Uint8Array(8);
  out[0] = ClientMessage.KeyEvent;
  out[1] = down ? 1 : 0;
  new DataView(out.buffer).setUint32(4, keysym >>> 0);
  return out;
}

/** QEMU Extended Key Event (message 255, submessage 0): a keysym plus the key's XT scancode. */
export function qemuExtendedKeyEvent(keysym: number, down: boolean, scancode: number): Uint8Array {
  const out = new Uint8Array(12);
  const view = new DataView(out.buffer);
  out[0] = ClientMessage.Qemu;
  out[1] = 0;
  view.setUint16(2, down ? 1 : 0);
  view.setUint32(4, keysym >>> 0);
  view.setUint32(8, scancode >>> 0);
  return out;
}

/**
 * `buttons` is the button mask: bit 0 left, 1 middle, 2 right, 3/4 wheel up/down, 5/6 wheel
 * left/right, 7 back (button 8), 8 forward (button 9). Without ExtendedMouseButtons only bits
 * 0–7 travel (RFC 6143 §7.5.5).
 */
export function pointerEvent(x: number, y: number, buttons: number): Uint8Array {
  const out = new Uint8Array(6);
  const view = new DataView(out.buffer);
  out[0] = ClientMessage.PointerEvent;
  out[1] = buttons & 0xff;
  view.setUint16(2, clampU16(x));
  view.setUint16(4, clampU16(y));
  return out;
}

function clampU16(v: number): number {
  return Math.max(0, Math.min(0xffff, v));
}

/**
 * PointerEvent in the ExtendedMouseButtons form (rfbproto "ExtendedMouseButtons
 * Pseudo-encoding", as noVNC and TigerVNC send it): bit 7 of the first mask byte is a marker
 * saying a second mask byte follows; buttons 1–7 stay in bits 0–6, buttons 8 and 9 (back,
 * forward: bits 7 and 8 of `buttons`) move to bits 0 and 1 of the second byte.
 */
export function extendedPointerEvent(x: number, y: number, buttons: number): Uint8Array {
  const out = new Uint8Array(7);
  const view = new DataView(out.buffer);
  out[0] = ClientMessage.PointerEvent;
  out[1] = (buttons & 0x7f) | 0x80;
  view.setUint16(2, clampU16(x));
  view.setUint16(4, clampU16(y));
  out[6] = (buttons >> 7) & 0x03;
  return out;
}

/** EnableContinuousUpdates (rfbproto, message 150): on or off for an area of the screen. */
export function enableContinuousUpdates(
  enable: boolean,
  x: number,
  y: number,
  width: number,
  height: number,
): Uint8Array {
  return areaMessage(ClientMessage.EnableContinuousUpdates, enable, x, y, width, height);
}

/** Fence flags (rfbproto "Fence"). */
export const FenceFlag = {
  BlockBefore: 1,
  BlockAfter: 2,
  SyncNext: 4,
  Request: 0x80000000,
} as const;

/** The flags this viewer honours in a server's fence request; it handles messages in order, one at a time. */
export const SUPPORTED_FENCE_FLAGS = FenceFlag.BlockBefore | FenceFlag.BlockAfter | FenceFlag.SyncNext;

/** A fence payload is at most 64 bytes (rfbproto "ClientFence"). */
export const MAX_FENCE_PAYLOAD = 64;

/** ClientFence (rfbproto, message 248): 3 bytes padding, u32 flags, u8 length, payload. */
export function fence(flags: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (payload.length > MAX_FENCE_PAYLOAD) throw new Error(`a fence payload of ${payload.length} bytes`);
  const out = new Uint8Array(9 + payload.length);
  const view = new DataView(out.buffer);
  out[0] = ClientMessage.Fence;
  view.setUint32(4, flags >>> 0);
  out[8] = payload.length;
  out.set(payload, 9);
  return out;
}

/** One screen of a multi-head layout (rfbproto "ExtendedDesktopSize Pseudo-encoding", SCREEN). */
export interface Screen {
  id: number;
  x: number;
  y: number;
  width: number;
  height: number;
  flags: number;
}

/** SetDesktopSize (rfbproto, message 251): padding, width, height, screen count, padding, screens. */
export function setDesktopSize(width: number, height: number, screens: readonly Screen[]): Uint8Array {
  const out = new Uint8Array(8 + screens.length * 16);
  const view = new DataView(out.buffer);
  out[0] = ClientMessage.SetDesktopSize;
  view.setUint16(2, width);
  view.setUint16(4, height);
  out[6] = screens.length;
  screens.forEach((screen, i) => {
    const o = 8 + i * 16;
    view.setUint32(o, screen.id >>> 0);
    view.setUint16(o + 4, screen.x);
    view.setUint16(o + 6, screen.y);
    view.setUint16(o + 8, screen.width);
    view.setUint16(o + 10, screen.height);
    view.setUint32(o + 12, screen.flags >>> 0);
  });
  return out;
}

/** ClientCutText carries ISO 8859-1 text (RFC 6143 §7.5.6); characters outside it become '?'. */
export function clientCutText(text: string): Uint8Array {
  const latin1 = latin1Bytes(text.replace(/\r\n/g, '\n'));
  const out = new Uint8Array(8 + latin1.length);
  out[0] = ClientMessage.ClientCutText;
  new DataView(out.buffer).setUint32(4, latin1.length);
  out.set(latin1, 8);
  return out;
}

export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = c < 256 ? c : 0x3f;
  }
  return out;
}

/** ISO 8859-1 bytes to text. (TextDecoder's "latin1" is windows-1252, which differs in 0x80–0x9f.) */
export function latin1Text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}
