import { DES } from 'des.js';
import { SecurityType } from '../constants.ts';
import { RfbError } from '../errors.ts';
import type { ByteQueue } from '../byte-queue.ts';
import type { SecurityHandler } from './handler.ts';

/** VNC's DES key: the password's first 8 bytes, zero padded, each byte bit-reversed (RFC 6143 §7.2.2, errata). */
export function vncAuthKey(password: string): Uint8Array {
  const key = new Uint8Array(8);
  for (let i = 0; i < 8 && i < password.length; i++) {
    let c = password.charCodeAt(i) & 0xff;
    let reversed = 0;
    for (let bit = 0; bit < 8; bit++) {
      reversed = (reversed << 1) | (c & 1);
      c >>= 1;
    }
    key[i] = reversed;
  }
  return key;
}

/** The 16-byte response to a VNC Authentication challenge. */
export function vncAuthResponse(password: string, challenge: Uint8Array): Uint8Array {
  const cipher = DES.create({ type: 'encrypt', key: vncAuthKey(password), padding: false });
  return Uint8Array.from(cipher.update(challenge));
}

/** Security type 2, VNC Authentication: DES of a 16-byte challenge with the password. */
export class VncAuthSecurity implements SecurityHandler {
  readonly type = SecurityType.VncAuth;
  private readonly password: string | undefined;

  constructor(password: string | undefined) {
    this.password = password;
  }

  step(queue: ByteQueue, send: (bytes: Uint8Array) => void): boolean {
    if (this.password === undefined) {
      throw new RfbError(
        'auth',
        'the server asks for a VNC password and none was given',
        'Give one with --password-file FILE or the VNC_PASSWORD environment variable',
      );
    }
    if (!queue.has(16)) return false;
    send(vncAuthResponse(this.password, queue.bytes(16)));
    return true;
  }
}
