import { protocolError, RfbError } from '../../../shared/rfb-error.ts';
import { type ChannelSecurity, securityTypeName } from '../../../shared/security-types.ts';
import type { SecurityContext, SecurityHandler } from './handler.ts';

/** At most 255 subtypes fit the count byte; each is a U32. */
const SUBTYPE_BYTES = 4;

/**
 * VeNCrypt (19), version 0.2 (rfbproto "VeNCrypt"; TigerVNC CSecurityVeNCrypt.cxx): the
 * version exchange, the server's subtype list (U32 each, ordinary types may be among them),
 * the client's choice as a U32 — rfbproto's table says one byte, every server reads four —
 * an ack only for TLS and X509 subtypes, then the subtype's own handler.
 */
export class VeNCryptSecurity implements SecurityHandler {
  private phase: 'version' | 'version-ack' | 'subtypes' | 'subtype-ack' | 'inner' = 'version';
  private chosen = 0;
  private inner: SecurityHandler | undefined;
  private readonly choose: (subtypes: number[], context: SecurityContext) => number;
  private readonly create: (subtype: number) => SecurityHandler;
  private readonly needsAck: (subtype: number) => boolean;

  constructor(
    choose: (subtypes: number[], context: SecurityContext) => number,
    create: (subtype: number) => SecurityHandler,
    needsAck: (subtype: number) => boolean,
  ) {
    this.choose = choose;
    this.create = create;
    this.needsAck = needsAck;
  }

  get name(): string {
    return this.inner?.name ?? 'VeNCrypt';
  }

  get checksCredentials(): boolean {
    return this.inner?.checksCredentials ?? false;
  }

  step(context: SecurityContext): boolean {
    const { queue, send } = context;
    switch (this.phase) {
      case 'version': {
        if (!queue.has(2)) return false;
        const major = queue.u8();
        const minor = queue.u8();
        if (major === 0 && minor < 2) {
          throw protocolError(
            `the server speaks VeNCrypt ${major}.${minor}; Porthole speaks version 0.2`,
            'Update the VNC server, or allow another security type on it',
          );
        }
        send(Uint8Array.of(0, 2));
        this.phase = 'version-ack';
        return this.step(context);
      }
      case 'version-ack':
        if (!queue.has(1)) return false;
        if (queue.u8() !== 0) throw protocolError('the server refused VeNCrypt version 0.2');
        this.phase = 'subtypes';
        return this.step(context);
      case 'subtypes': {
        if (!queue.has(1)) return false;
        const count = queue.peekU8();
        if (!queue.has(1 + count * SUBTYPE_BYTES)) return false;
        queue.consume(1);
        const subtypes: number[] = [];
        for (let i = 0; i < count; i++) subtypes.push(queue.u32());
        if (count === 0) throw protocolError('the server offers no VeNCrypt subtypes');
        if (context.offeredSubtypes?.(subtypes) === false) return false;
        this.chosen = this.choose(subtypes, context);
        const choice = new Uint8Array(4);
        new DataView(choice.buffer).setUint32(0, this.chosen);
        send(choice);
        if (this.needsAck(this.chosen)) {
          this.phase = 'subtype-ack';
          return this.step(context);
        }
        this.inner = this.create(this.chosen);
        this.phase = 'inner';
        return this.step(context);
      }
      case 'subtype-ack':
        if (!queue.has(1)) return false;
        if (queue.u8() !== 1) {
          throw new RfbError(
            'protocol',
            `the server refused VeNCrypt subtype ${securityTypeName(this.chosen)} that it offered`,
            'The server is likely missing its certificate or key (Xvnc: -X509Cert and -X509Key); check its log',
          );
        }
        this.inner = this.create(this.chosen);
        this.phase = 'inner';
        return this.step(context);
      case 'inner':
        return this.inner!.step(context);
    }
  }

  resultFollows(): boolean {
    return true;
  }

  channel(): ChannelSecurity {
    return this.inner?.channel() ?? { type: this.name, encrypted: false, identity: 'unverified' };
  }

  explainClose(): RfbError | undefined {
    return this.inner?.explainClose?.();
  }
}
