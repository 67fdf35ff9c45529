import type { ChannelSecurity } from '../../../shared/security-types.ts';
import type { SecurityHandler } from './handler.ts';

/** Security type None (RFC 6143 §7.2.1): nothing to exchange. */
export class NoneSecurity implements SecurityHandler {
  readonly name = 'None';
  readonly checksCredentials = false;

  step(): boolean {
    return true;
  }

  /** RFC 6143 §7.2.1: SecurityResult follows None only from 3.8 on. */
  resultFollows(minorVersion: number): boolean {
    return minorVersion >= 8;
  }

  channel(): ChannelSecurity {
    return { type: this.name, encrypted: false, identity: 'unverified' };
  }
}
