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

export function framebufferUpdateRequest(
  incremental: boolean,
  x: number,
  y: number,
  width: number,
  height: number,
): Uint8Array {
  const out = new Uint8Array(10);
  const view = new DataView(out.buffer);
  out[0] = ClientMessage.FramebufferUpdateRequest;
  out[1] = incremental ? 1 : 0;
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

/** `buttons` is the button mask: bit 0 left, 1 middle, 2 right, 3/4 wheel up/down, 5/6 wheel left/right. */
export function pointerEvent(x: number, y: number, buttons: number): Uint8Array {
  const out = new Uint8Array(6);
  const view = new DataView(out.buffer);
  out[0] = ClientMessage.PointerEvent;
  out[1] = buttons & 0xff;
  view.setUint16(2, Math.max(0, Math.min(0xffff, x)));
  view.setUint16(4, Math.max(0, Math.min(0xffff, y)));
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
