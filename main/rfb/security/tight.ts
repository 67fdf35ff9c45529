import { protocolError } from '../../../shared/rfb-error.ts';
import { type ChannelSecurity, SecurityType } from '../../../shared/security-types.ts';
import type { ByteQueue } from '../byte-queue.ts';
import type { SecurityContext, SecurityHandler } from './handler.ts';

/** A capability (rfbproto "Tight Security Type"): S32 code, 4-byte vendor, 8-byte name. */
const CAPABILITY_BYTES = 16;
/** More capabilities than any server lists; a larger count is a broken stream. */
const MAX_CAPABILITIES = 64;

/**
 * Tight (16, rfbproto "Tight Security Type"; tightvncserver offers [2, 16]): the server lists
 * tunnel types (the client answers 0, no tunnel, when there are any), then authentication
 * types (the client answers None or VNC Authentication, which then runs; none listed means
 * none). After ServerInit the server adds its interaction capability lists, which the session
 * skips through `serverInitTrailer`.
 */
export class TightSecurity implements SecurityHandler {
  private phase: 'tunnels' | 'auth' | 'inner' = 'tunnels';
  private inner: SecurityHandler | undefined;
  private readonly create: (type: number) => SecurityHandler;

  constructor(create: (type: number) => SecurityHandler) {
    this.create = create;
  }

  get name(): string {
    return this.inner ? `Tight (${this.inner.name})` : 'Tight';
  }

  get checksCredentials(): boolean {
    return this.inner?.checksCredentials ?? false;
  }

  step(context: SecurityContext): boolean {
    const { queue, send } = context;
    if (this.phase === 'tunnels') {
      const codes = readCapabilities(queue, 'tunnel');
      if (!codes) return false;
      if (codes.length > 0) send(u32(0)); // NOTUNNEL
      this.phase = 'auth';
    }
    if (this.phase === 'auth') {
      const codes = readCapabilities(queue, 'authentication');
      if (!codes) return false;
      let type: number = SecurityType.None;
      if (codes.length > 0) {
        const chosen = [SecurityType.None, SecurityType.VncAuth].find((t) => codes.includes(t));
        if (chosen === undefined)
          throw protocolError(
            `inside Tight the server offers only authentication types ${codes.join(', ')}; Porthole speaks None (1) and VNC Authentication (2) there`,
          );
        type = chosen;
        send(u32(type));
      }
      this.inner = this.create(type);
      this.phase = 'inner';
    }
    return this.inner!.step(context);
  }

  resultFollows(minorVersion: number): boolean {
    return this.inner?.resultFollows(minorVersion) ?? true;
  }

  channel(): ChannelSecurity {
    return { type: this.name, encrypted: false, identity: 'unverified' };
  }

  /** The interaction capabilities after ServerInit: three U16 counts, padding, then 16 bytes each. */
  serverInitTrailer(queue: ByteQueue, offset: number): number | undefined {
    if (!queue.has(offset + 8)) return undefined;
    const count = queue.peekU16(offset) + queue.peekU16(offset + 2) + queue.peekU16(offset + 4);
    return 8 + count * CAPABILITY_BYTES;
  }
}

/** A U32 count and that many capabilities; undefined until all have arrived. */
function readCapabilities(queue: ByteQueue, what: string): number[] | undefined {
  if (!queue.has(4)) return undefined;
  const count = queue.peekU32();
  if (count > MAX_CAPABILITIES)
    throw protocolError(
      `the server lists ${count} Tight ${what} capabilities, more than the ${MAX_CAPABILITIES} allowed`,
    );
  if (!queue.has(4 + count * CAPABILITY_BYTES)) return undefined;
  queue.consume(4);
  const codes: number[] = [];
  for (let i = 0; i < count; i++) {
    codes.push(queue.u32());
    queue.consume(CAPABILITY_BYTES - 4);
  }
  return codes;
}

function u32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value);
  return bytes;
}
