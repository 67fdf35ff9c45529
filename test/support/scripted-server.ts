import { type PixelFormat, writePixelFormat } from '../../main/rfb/pixel-format.ts';
import { RfbSession, type SessionOptions, type SessionState } from '../../main/rfb/session.ts';
import type { DrawBatch, DrawOp } from '../../shared/draw-ops.ts';
import { Framebuffer } from '../../shared/framebuffer.ts';
import type { RfbError } from '../../shared/rfb-error.ts';
import { Bytes } from './decode-harness.ts';

/**
 * Drives an RfbSession with bytes a test writes as the server, and records what the client
 * sends. For protocol cases no real server on this machine produces (other versions, refusals).
 */
export class ScriptedServer {
  readonly session: RfbSession;
  readonly sent: Uint8Array[] = [];
  readonly ops: DrawOp[] = [];
  readonly states: SessionState[] = [];
  readonly fb = new Framebuffer();
  closed = false;
  error: RfbError | undefined;
  updates = 0;

  constructor(options: SessionOptions = {}) {
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
          this.ops.push(...batch.ops);
          this.fb.apply(batch);
        },
        onState: (state) => this.states.push(state),
        onUpdateEnd: () => this.updates++,
        onClose: (error) => {
          this.error = error;
        },
      },
    );
  }

  /** Sends server bytes, optionally one byte at a time. */
  send(bytes: Uint8Array | Bytes | string, byteByByte = false): this {
    const data =
      typeof bytes === 'string'
        ? new TextEncoder().encode(bytes)
        : bytes instanceof Bytes
          ? bytes.build()
          : bytes;
    if (byteByByte) for (let i = 0; i < data.length; i++) this.session.receive(data.subarray(i, i + 1));
    else this.session.receive(data);
    return this;
  }

  /** Everything the client sent since the last call, concatenated. */
  takeSent(): number[] {
    const all = this.sent.flatMap((b) => Array.from(b));
    this.sent.length = 0;
    return all;
  }

  /** Runs a 3.8 None handshake up to the connected state. */
  connect(width = 64, height = 48, format: PixelFormat = SERVER_FORMAT, name = 'test desktop'): this {
    this.send('RFB 003.008\n')
      .send(new Bytes().u8(1, 1))
      .send(new Bytes().u32(0))
      .send(serverInit(width, height, format, name));
    return this;
  }
}

/** A typical server-side format: 32 bpp little-endian, red in bits 16–23 (X servers' BGRX). */
export const SERVER_FORMAT: PixelFormat = {
  bitsPerPixel: 32,
  depth: 24,
  bigEndian: false,
  trueColour: true,
  redMax: 255,
  greenMax: 255,
  blueMax: 255,
  redShift: 16,
  greenShift: 8,
  blueShift: 0,
};

export function serverInit(width: number, height: number, format: PixelFormat, name: string): Bytes {
  const pf = new Uint8Array(16);
  writePixelFormat(format, pf, 0);
  const nameBytes = new TextEncoder().encode(name);
  return new Bytes().u16(width).u16(height).raw(pf).u32(nameBytes.length).raw(nameBytes);
}

/** A FramebufferUpdate header. */
export function updateHeader(rects: number): Bytes {
  return new Bytes().u8(0, 0).u16(rects);
}

export function rectHeader(b: Bytes, x: number, y: number, w: number, h: number, encoding: number): Bytes {
  return b.u16(x).u16(y).u16(w).u16(h).s32(encoding);
}
