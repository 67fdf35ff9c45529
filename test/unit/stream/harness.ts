import type { Screen } from '../../../main/rfb/client-messages.ts';
import { type PixelFormat, writePixelFormat } from '../../../main/rfb/pixel-format.ts';
import {
  type DesktopSizeResult,
  type LedState,
  RfbSession,
  type SessionOptions,
  type StreamMode,
} from '../../../main/rfb/session.ts';
import type { DrawBatch, DrawOp } from '../../../shared/draw-ops.ts';
import { Framebuffer } from '../../../shared/framebuffer.ts';
import type { RfbError } from '../../../shared/rfb-error.ts';
import { Bytes } from '../../support/decode-harness.ts';
import { SERVER_FORMAT, serverInit } from '../../support/scripted-server.ts';

/** Everything a session did while a test played the server: bytes sent, ops, events. */
export class StreamHarness {
  readonly session: RfbSession;
  readonly sent: Uint8Array[] = [];
  readonly ops: DrawOp[] = [];
  /** Copies of the batches, as the session host would forward them. */
  readonly batches: DrawBatch[] = [];
  readonly fb = new Framebuffer();
  readonly modes: StreamMode[] = [];
  readonly sizeResults: DesktopSizeResult[] = [];
  readonly layouts: (readonly Screen[])[] = [];
  readonly leds: LedState[] = [];
  readonly pointerModes: string[] = [];
  extendedMouse = 0;
  updates = 0;
  error: RfbError | undefined;
  closed = false;

  constructor(options: SessionOptions = {}, onUpdateEnd?: (h: StreamHarness) => void) {
    this.session = new RfbSession(
      {
        write: (bytes) => this.sent.push(bytes.slice()),
        close: () => {
          this.closed = true;
        },
      },
      options,
      {
        onDraw: (batch: DrawBatch) => {
          this.batches.push({ ...batch, ops: [...batch.ops], pixels: batch.pixels.slice() });
          this.ops.push(...batch.ops);
          this.fb.apply(batch);
        },
        onUpdateEnd: () => {
          this.updates++;
          onUpdateEnd?.(this);
        },
        onClose: (error) => {
          this.error = error;
        },
        onStreamMode: (mode) => this.modes.push(mode),
        onDesktopSizeResult: (result) => this.sizeResults.push(result),
        onScreenLayout: (screens) => this.layouts.push(screens),
        onLedState: (state) => this.leds.push(state),
        onPointerMode: (mode) => this.pointerModes.push(mode),
        onExtendedMouseButtons: () => this.extendedMouse++,
      },
    );
  }

  send(bytes: Uint8Array | Bytes, byteByByte = false): this {
    const data = bytes instanceof Bytes ? bytes.build() : bytes;
    if (byteByByte) for (let i = 0; i < data.length; i++) this.session.receive(data.subarray(i, i + 1));
    else this.session.receive(data);
    return this;
  }

  /** Sends `bytes` as two chunks split at `at`. */
  sendSplit(bytes: Uint8Array | Bytes, at: number): this {
    const data = bytes instanceof Bytes ? bytes.build() : bytes;
    this.session.receive(data.subarray(0, at));
    this.session.receive(data.subarray(at));
    return this;
  }

  takeSent(): number[] {
    const all = this.sent.flatMap((b) => Array.from(b));
    this.sent.length = 0;
    return all;
  }

  /** The messages sent since the last call, each as its byte array (one per transport write). */
  takeMessages(): number[][] {
    const all = this.sent.map((b) => Array.from(b));
    this.sent.length = 0;
    return all;
  }

  /** A 3.8 None handshake up to connected, then forgets what the client sent so far. */
  connect(width = 64, height = 48, format: PixelFormat = SERVER_FORMAT, name = 'stream test'): this {
    this.send(new TextEncoder().encode('RFB 003.008\n'))
      .send(new Bytes().u8(1, 1))
      .send(new Bytes().u32(0))
      .send(serverInit(width, height, format, name));
    this.sent.length = 0;
    return this;
  }
}

/** A server's Fence message: type 248, padding, flags, length, payload. */
export function serverFence(flags: number, payload: ArrayLike<number> = []): Bytes {
  return new Bytes().u8(248, 0, 0, 0).u32(flags).u8(payload.length).raw(payload);
}

/** The 16 PIXEL_FORMAT bytes of `pf`. */
export function formatBytes(pf: PixelFormat): number[] {
  const out = new Uint8Array(16);
  writePixelFormat(pf, out, 0);
  return Array.from(out);
}

/** Runs `check` once per way of cutting `bytes` in two (and once whole): the parser must not care. */
export function everySplit(bytes: Uint8Array, check: (feed: (h: StreamHarness) => void) => void): void {
  for (let at = 0; at <= bytes.length; at++) check((h) => h.sendSplit(bytes, at));
  check((h) => h.send(bytes, true));
}

export const REQUEST = 0x80000000;
export const SYNC_NEXT = 4;
