import type { ChannelSecurity } from '../../../shared/security-types.ts';
import type { SecurityContext, SecurityHandler } from './handler.ts';

/**
 * Inside Vino's TLS (type 18, GNOME; gtk-vnc's implementation): U8 count, that many U8 types,
 * the client's U8 choice, then that type's exchange.
 */
export class VinoSecurity implements SecurityHandler {
  private inner: SecurityHandler | undefined;
  private readonly choose: (offered: number[]) => number;
  private readonly create: (type: number) => SecurityHandler;

  constructor(choose: (offered: number[]) => number, create: (type: number) => SecurityHandler) {
    this.choose = choose;
    this.create = create;
  }

  get name(): string {
    return this.inner?.name ?? 'TLS';
  }

  get checksCredentials(): boolean {
    return this.inner?.checksCredentials ?? false;
  }

  step(context: SecurityContext): boolean {
    if (!this.inner) {
      const { queue } = context;
      if (!queue.has(1) || !queue.has(1 + queue.peekU8())) return false;
      const offered = Array.from(queue.bytes(queue.u8()));
      const type = this.choose(offered);
      context.send(Uint8Array.of(type));
      this.inner = this.create(type);
    }
    return this.inner.step(context);
  }

  resultFollows(): boolean {
    return true;
  }

  channel(): ChannelSecurity {
    return this.inner?.channel() ?? { type: this.name, encrypted: true, identity: 'unverified' };
  }
}
