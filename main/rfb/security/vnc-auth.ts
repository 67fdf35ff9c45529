import { DES } from 'des.js';
import { RfbError } from '../../../shared/rfb-error.ts';
import type { ChannelSecurity } from '../../../shared/security-types.ts';
import type { Credentials, SecurityContext, SecurityHandler } from './handler.ts';

/** A byte with its bit order reversed: VNC's DES keys put the first bit in the lowest place. */
export function reverseBits(byte: number): number {
  let reversed = 0;
  for (let bit = 0; bit < 8; bit++) {
    reversed = (reversed << 1) | (byte & 1);
    byte >>= 1;
  }
  return reversed;
}

/** VNC's DES key: the password's first 8 bytes, zero padded, each byte bit-reversed (RFC 6143 §7.2.2, errata). */
export function vncAuthKey(password: string): Uint8Array {
  const key = new Uint8Array(8);
  for (let i = 0; i < 8 && i < password.length; i++) key[i] = reverseBits(password.charCodeAt(i) & 0xff);
  return key;
}

/**
 * The fixed key with which VNC servers and viewers obfuscate stored passwords (the
 * `vncpasswd` file format, `.vnc` files' Password=hex), already bit-reversed for standard DES.
 */
const STORAGE_KEY = Uint8Array.from([23, 82, 107, 6, 35, 78, 88, 7], reverseBits);

/** The 8 obfuscated bytes VNC stores for a password (first 8 characters, zero padded). */
export function obfuscateVncPassword(password: string): Uint8Array {
  const plain = new Uint8Array(8);
  for (let i = 0; i < 8 && i < password.length; i++) plain[i] = password.charCodeAt(i) & 0xff;
  return Uint8Array.from(DES.create({ type: 'encrypt', key: STORAGE_KEY, padding: false }).update(plain));
}

/** The password behind 8 obfuscated bytes (trailing zero padding removed). */
export function deobfuscateVncPassword(stored: Uint8Array): string {
  if (stored.length < 8) throw new RangeError('an obfuscated VNC password is 8 bytes');
  const cipher = DES.create({ type: 'decrypt', key: STORAGE_KEY, padding: false });
  // des.js holds the last block back on decryption until final().
  const plain = [...cipher.update(stored.subarray(0, 8)), ...cipher.final()];
  const end = plain.indexOf(0);
  return String.fromCharCode(...plain.slice(0, end < 0 ? 8 : end));
}

/** The 16-byte response to a VNC Authentication challenge. */
export function vncAuthResponse(password: string, challenge: Uint8Array): Uint8Array {
  const cipher = DES.create({ type: 'encrypt', key: vncAuthKey(password), padding: false });
  return Uint8Array.from(cipher.update(challenge));
}

/**
 * The password, or undefined while the user is being asked for it (`askPassword`); without a
 * way to ask, a missing password is an error naming what the server wants.
 */
export function passwordOrAsk(credentials: Credentials, asked: boolean, what: string): string | undefined {
  if (credentials.password !== undefined) return credentials.password;
  if (credentials.askPassword) {
    if (!asked) credentials.askPassword();
    return undefined;
  }
  throw new RfbError(
    'auth',
    `the server asks for ${what} and no password was given`,
    'Give one with --password-file FILE or the VNC_PASSWORD environment variable',
  );
}

/** Security type 2, VNC Authentication: DES of a 16-byte challenge with the password. */
export class VncAuthSecurity implements SecurityHandler {
  readonly name = 'VNC Authentication';
  readonly checksCredentials = true;
  private asked = false;

  step({ queue, send, credentials }: SecurityContext): boolean {
    const password = passwordOrAsk(credentials, this.asked, 'a VNC password');
    if (password === undefined) {
      this.asked = true;
      return false;
    }
    if (!queue.has(16)) return false;
    send(vncAuthResponse(password, queue.bytes(16)));
    return true;
  }

  resultFollows(): boolean {
    return true;
  }

  channel(): ChannelSecurity {
    return { type: this.name, encrypted: false, identity: 'unverified' };
  }
}
