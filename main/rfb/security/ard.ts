import { createCipheriv, createDiffieHellman, createHash, randomBytes } from 'node:crypto';
import { protocolError } from '../../../shared/rfb-error.ts';
import type { ChannelSecurity } from '../../../shared/security-types.ts';
import type { SecurityContext, SecurityHandler } from './handler.ts';
import { credentialField, type Prompt, usernameAndPassword } from './username-password.ts';

/** The key lengths (bytes) TigerVNC accepts (CSecurityDH.cxx). */
const MIN_KEY_BYTES = 128;
const MAX_KEY_BYTES = 1024;
/** Username at 0 and password at 64, each NUL-terminated in a 64-byte field. */
const FIELD = 64;

/**
 * Apple Remote Desktop (30; TigerVNC CSecurityDH, noVNC): the server sends U16 generator, U16
 * key length, the prime and its public value (each key-length bytes). The client answers a
 * 128-byte block — username at 0, password at 64, NUL-terminated, the rest random — enciphered
 * with AES-128-ECB under MD5(shared secret), then its own public value. SecurityResult follows.
 * Nothing authenticates the server, and the rest of the session is not encrypted.
 */
export class ArdSecurity implements SecurityHandler {
  readonly name = 'Apple Remote Desktop';
  readonly checksCredentials = true;
  private readonly prompt: Prompt = { asked: false };

  step(context: SecurityContext): boolean {
    const { queue } = context;
    if (!queue.has(4)) return false;
    const generator = queue.peekU16();
    const size = queue.peekU16(2);
    if (size < MIN_KEY_BYTES || size > MAX_KEY_BYTES) {
      throw protocolError(
        `the server's Apple Remote Desktop key is ${size} bytes long; ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} are accepted`,
      );
    }
    if (!queue.has(4 + 2 * size)) return false;
    const credentials = usernameAndPassword(context.credentials, this.name, this.prompt);
    if (!credentials) return false;
    queue.consume(4);
    const prime = queue.bytes(size).slice();
    const serverPublic = queue.bytes(size).slice();
    let publicValue: Uint8Array;
    let secret: Uint8Array;
    try {
      const dh = createDiffieHellman(prime, Uint8Array.of(generator >> 8, generator & 0xff));
      publicValue = leftPad(dh.generateKeys(), size);
      secret = leftPad(dh.computeSecret(serverPublic), size);
    } catch (error) {
      throw protocolError(
        `the server's Apple Remote Desktop key exchange is invalid (${(error as Error).message})`,
      );
    }
    const block = new Uint8Array(randomBytes(2 * FIELD));
    block.set(credentialField(credentials.username, FIELD, 'username'), 0);
    block.set(credentialField(credentials.password, FIELD, 'password'), FIELD);
    const key = createHash('md5').update(secret).digest();
    const cipher = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
    context.send(Buffer.concat([cipher.update(block), publicValue]));
    block.fill(0);
    secret.fill(0);
    return true;
  }

  resultFollows(): boolean {
    return true;
  }

  channel(): ChannelSecurity {
    return { type: this.name, encrypted: false, identity: 'unverified' };
  }
}

/** Node's DH values drop leading zero bytes; the wire wants them. */
function leftPad(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(bytes.subarray(Math.max(0, bytes.length - size)), Math.max(0, size - bytes.length));
  return out;
}
