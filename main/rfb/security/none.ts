import { SecurityType } from '../constants.ts';
import type { SecurityHandler } from './handler.ts';

/** Security type None (RFC 6143 §7.2.1): nothing to exchange. */
export class NoneSecurity implements SecurityHandler {
  readonly type = SecurityType.None;
  step(): boolean {
    return true;
  }
}
