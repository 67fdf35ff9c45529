import { deflate } from 'pako';
import { RfbError } from '../../../shared/rfb-error.ts';
import { ClientMessage } from '../constants.ts';
import { ZlibStream } from '../zlib-stream.ts';

/**
 * Extended Clipboard (rfbproto "Extended Clipboard Pseudo-Encoding", 0xC0A1E5CE). Once the
 * viewer lists the pseudo-encoding, a ServerCutText / ClientCutText whose length is negative
 * (as an S32) carries |length| bytes: a U32 of flags, then an action's payload.
 *
 * Flags: bits 0–15 formats (0 text, 1 rtf, 2 html, 3 dib, 4 files), bits 24–31 actions
 * (24 caps, 25 request, 26 peek, 27 notify, 28 provide).
 */
export const EXTENDED_CLIPBOARD_ENCODING = 0xc0a1e5ce | 0;

export const ClipboardFormat = {
  Text: 1 << 0,
  Rtf: 1 << 1,
  Html: 1 << 2,
  Dib: 1 << 3,
  Files: 1 << 4,
} as const;

export const ClipboardAction = {
  Caps: 1 << 24,
  Request: 1 << 25,
  Peek: 1 << 26,
  Notify: 1 << 27,
  Provide: 1 << 28,
} as const;

const FORMAT_MASK = 0xffff;
const ACTION_MASK = 0xff000000;

export type ClipboardMessage =
  /** What the sender can do, and the largest unrequested payload of each format it accepts. */
  | { action: 'caps'; formats: number; actions: number; maxSizes: number[] }
  | { action: 'request'; formats: number }
  | { action: 'peek' }
  | { action: 'notify'; formats: number }
  /** Only text is kept; the other formats' payloads are skipped. */
  | { action: 'provide'; formats: number; text: string | undefined };

/** Our Caps: text only, every action. */
export const VIEWER_CLIPBOARD_ACTIONS =
  ClipboardAction.Caps |
  ClipboardAction.Request |
  ClipboardAction.Peek |
  ClipboardAction.Notify |
  ClipboardAction.Provide;

export function clipboardError(detail: string): RfbError {
  return new RfbError('protocol', `extended clipboard: ${detail}`);
}

function u32(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0
  );
}

function bitCount(value: number): number {
  let n = 0;
  for (let v = value >>> 0; v; v >>>= 1) n += v & 1;
  return n;
}

/**
 * Parses one extended-clipboard payload (the |length| bytes after the CutText header).
 * `maxText` bounds the inflated Provide data: a payload that inflates past it (a zlib bomb)
 * is rejected with an RfbError before more than `maxText` + 1 bytes are ever held.
 */
export function parseClipboardPayload(payload: Uint8Array, maxText: number): ClipboardMessage {
  if (payload.length < 4) throw clipboardError(`a message of ${payload.length} bytes has no flags`);
  const flags = u32(payload, 0);
  const formats = flags & FORMAT_MASK;
  const actions = (flags & ACTION_MASK) >>> 0;
  if (actions & ClipboardAction.Caps) {
    // One U32 size per format bit set, in bit order.
    const count = bitCount(formats);
    if (payload.length < 4 + count * 4) {
      throw clipboardError(`Caps lists ${count} formats but carries ${(payload.length - 4) >> 2} sizes`);
    }
    const maxSizes: number[] = [];
    for (let i = 0; i < count; i++) maxSizes.push(u32(payload, 4 + i * 4));
    return { action: 'caps', formats, actions: actions & ~ClipboardAction.Caps, maxSizes };
  }
  if (actions & ClipboardAction.Provide) return parseProvide(formats, payload.subarray(4), maxText);
  if (actions & ClipboardAction.Request) return { action: 'request', formats };
  if (actions & ClipboardAction.Peek) return { action: 'peek' };
  if (actions & ClipboardAction.Notify) return { action: 'notify', formats };
  throw clipboardError(`flags 0x${flags.toString(16)} name no action`);
}

/**
 * Provide: one zlib stream of its own (a fresh one per message, as TigerVNC and QEMU write it),
 * inflating to, for each format bit set in order, a U32 size and that many bytes. Text is
 * UTF-8 with CRLF line endings and a terminating NUL.
 */
function parseProvide(formats: number, compressed: Uint8Array, maxText: number): ClipboardMessage {
  // Room for every format's size word besides the text itself.
  const bound = maxText + 4 * 16;
  let data: Uint8Array;
  try {
    data = new ZlibStream('extended clipboard Provide').inflate(compressed, bound);
  } catch (error) {
    if (error instanceof RfbError && /inflates to more/.test(error.detail)) {
      throw clipboardError(
        `the server's clipboard data inflates to more than ${bound} bytes (the viewer's limit); it was dropped`,
      );
    }
    throw error;
  }
  let text: string | undefined;
  let at = 0;
  for (let bit = 0; bit < 16; bit++) {
    if (!(formats & (1 << bit))) continue;
    if (at + 4 > data.length) throw clipboardError('Provide data ends before a format size');
    const size = u32(data, at);
    at += 4;
    if (size > data.length - at) throw clipboardError(`Provide data ends inside a ${size}-byte format`);
    if (1 << bit === ClipboardFormat.Text) text = wireToText(data.subarray(at, at + size));
    at += size;
  }
  return { action: 'provide', formats, text };
}

/** UTF-8 wire text to JavaScript text: the NUL and what follows dropped, CRLF to LF. */
export function wireToText(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  const body = nul >= 0 ? bytes.subarray(0, nul) : bytes;
  return new TextDecoder().decode(body).replace(/\r\n/g, '\n');
}

/** Text to wire bytes: LF (and lone CR) as CRLF, UTF-8, NUL-terminated. */
export function textToWire(text: string): Uint8Array {
  const utf8 = new TextEncoder().encode(text.replace(/\r\n|\r|\n/g, '\r\n'));
  const out = new Uint8Array(utf8.length + 1);
  out.set(utf8);
  return out;
}

/** A ClientCutText (type 6) with the negative length marking an extended message. */
function clientMessage(flags: number, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  out[0] = ClientMessage.ClientCutText;
  view.setInt32(4, -(4 + body.length));
  view.setUint32(8, flags >>> 0);
  out.set(body, 12);
  return out;
}

export function buildCaps(formats: number, actions: number, maxSizes: readonly number[]): Uint8Array {
  const body = new Uint8Array(maxSizes.length * 4);
  const view = new DataView(body.buffer);
  for (let i = 0; i < maxSizes.length; i++) view.setUint32(i * 4, maxSizes[i]);
  return clientMessage(ClipboardAction.Caps | actions | formats, body);
}

export function buildRequest(formats: number): Uint8Array {
  return clientMessage(ClipboardAction.Request | formats);
}

export function buildPeek(): Uint8Array {
  return clientMessage(ClipboardAction.Peek);
}

export function buildNotify(formats: number): Uint8Array {
  return clientMessage(ClipboardAction.Notify | formats);
}

/** Provide with text: a fresh zlib stream holding U32 size + UTF-8 CRLF NUL-terminated text. */
export function buildProvideText(text: string): Uint8Array {
  return buildProvideWire(textToWire(text));
}

/** Provide with text already in wire form (`textToWire`). */
export function buildProvideWire(wire: Uint8Array): Uint8Array {
  const plain = new Uint8Array(4 + wire.length);
  new DataView(plain.buffer).setUint32(0, wire.length);
  plain.set(wire, 4);
  return clientMessage(ClipboardAction.Provide | ClipboardFormat.Text, deflate(plain));
}

/** The server's Caps: whether it takes text, the actions it does, and its text size limit. */
export interface ServerClipboardCaps {
  text: boolean;
  actions: number;
  maxText: number;
}

export function serverCaps(message: Extract<ClipboardMessage, { action: 'caps' }>): ServerClipboardCaps {
  const text = (message.formats & ClipboardFormat.Text) !== 0;
  // The text size is the first listed, since text is bit 0.
  return { text, actions: message.actions, maxText: text ? (message.maxSizes[0] ?? 0) : 0 };
}
