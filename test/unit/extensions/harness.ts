import { deflate } from 'pako';
import type { ExtensionEvent } from '../../../main/rfb/extensions/session-extensions.ts';
import { RfbSession, type SessionOptions } from '../../../main/rfb/session.ts';
import type { DrawOp } from '../../../shared/draw-ops.ts';
import type { RfbError } from '../../../shared/rfb-error.ts';
import { Bytes } from '../../support/decode-harness.ts';
import { SERVER_FORMAT, serverInit } from '../../support/scripted-server.ts';

/** An RfbSession connected to a scripted server, recording what it sends and the extension events. */
export class ExtensionsHarness {
  readonly session: RfbSession;
  readonly sent: Uint8Array[] = [];
  readonly events: ExtensionEvent[] = [];
  readonly ops: DrawOp[] = [];
  /** What the viewer sent during the handshake (ClientInit, SetPixelFormat, SetEncodings, …). */
  readonly handshake: Uint8Array[];
  error: RfbError | undefined;
  closed = false;

  constructor(options: SessionOptions = {}) {
    this.session = new RfbSession(
      {
        write: (bytes) => this.sent.push(bytes.slice()),
        close: () => {
          this.closed = true;
        },
      },
      { autoRequest: false, ...options },
      {
        onDraw: (batch) => this.ops.push(...batch.ops),
        // Audio samples are a view valid only during the event: keep a copy.
        onExtension: (event) =>
          this.events.push(
            event.kind === 'audio-data' ? { ...event, samples: event.samples.slice() } : event,
          ),
        onClose: (error) => {
          this.error = error;
        },
      },
    );
    this.receive(new TextEncoder().encode('RFB 003.008\n'));
    this.receive(new Bytes().u8(1, 1).u32(0).build());
    this.receive(serverInit(32, 16, SERVER_FORMAT, 'test').build());
    this.handshake = this.takeSent();
  }

  receive(bytes: Uint8Array, byteByByte = false): this {
    if (byteByByte) for (let i = 0; i < bytes.length; i++) this.session.receive(bytes.subarray(i, i + 1));
    else this.session.receive(bytes);
    return this;
  }

  /** Receives `bytes` split in two at `at`. */
  receiveSplit(bytes: Uint8Array, at: number): this {
    this.session.receive(bytes.subarray(0, at));
    this.session.receive(bytes.subarray(at));
    return this;
  }

  takeSent(): Uint8Array[] {
    const all = this.sent.slice();
    this.sent.length = 0;
    return all;
  }

  clipboards(): string[] {
    return this.ops.flatMap((op) => (op.kind === 'clipboard' ? [op.text] : []));
  }
}

/** A ServerCutText (type 3) with a negative length: an Extended Clipboard message. */
export function serverExtended(flags: number, body: ArrayLike<number> = []): Uint8Array {
  return new Bytes()
    .u8(3, 0, 0, 0)
    .s32(-(4 + body.length))
    .u32(flags >>> 0)
    .raw(body)
    .build();
}

/** The server's Provide with text, compressed as servers do (one zlib stream per message). */
export function serverProvideText(wire: Uint8Array): Uint8Array {
  const plain = new Bytes().u32(wire.length).raw(wire).build();
  return serverExtended((1 << 28) | 1, deflate(plain));
}
