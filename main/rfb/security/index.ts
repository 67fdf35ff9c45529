import { SecurityType } from '../constants.ts';
import type { Credentials, SecurityHandler } from './handler.ts';
import { NoneSecurity } from './none.ts';
import { VncAuthSecurity } from './vnc-auth.ts';

/** Security types this client speaks, most preferred first. */
export const SUPPORTED_SECURITY_TYPES: readonly number[] = [SecurityType.None, SecurityType.VncAuth];

export function createSecurityHandler(type: number, credentials: Credentials): SecurityHandler {
  switch (type) {
    case SecurityType.None:
      return new NoneSecurity();
    case SecurityType.VncAuth:
      return new VncAuthSecurity(credentials);
    default:
      throw new Error(`no handler for security type ${type}`);
  }
}
