import type { ByteQueue } from '../byte-queue.ts';

/** What the user gave to authenticate with. */
export interface Credentials {
  password?: string;
  /**
   * Called when the server asks for a password and none is set. The exchange then waits
   * until the session is given one (`RfbSession.providePassword`). Without it, a missing
   * password is an error.
   */
  askPassword?: () => void;
}

/**
 * One security type's exchange after the type is chosen (RFC 6143 §7.2), before SecurityResult.
 * `step` consumes what it can from the queue; it returns true once the exchange is done.
 */
export interface SecurityHandler {
  readonly type: number;
  step(queue: ByteQueue, send: (bytes: Uint8Array) => void): boolean;
}
