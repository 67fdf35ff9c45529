import { randomBytes } from 'node:crypto';
import { CBC, DES } from 'des.js';
import { protocolError } from '../../../shared/rfb-error.ts';
import type { ChannelSecurity } from '../../../shared/security-types.ts';
import type { SecurityContext, SecurityHandler } from './handler.ts';
import { credentialField, type Prompt, usernameAndPassword } from './username-password.ts';
import { reverseBits } from './vnc-auth.ts';

const USERNAME_FIELD = 256;
const PASSWORD_FIELD = 64;

/**
 * UltraVNC's MS-Logon II (113; TigerVNC CSecurityMSLogonII): the server sends generator,
 * modulus and its public value, 8 bytes each. The client answers its public value, then a
 * 256-byte username field and a 64-byte password field (NUL-terminated, random filler), each
 * DES-CBC enciphered from the same IV: the key is the 8-byte shared secret with each byte's bits
 * reversed (as VNC Authentication's key), the IV the secret itself. A 64-bit Diffie-Hellman
 * protects little; the channel is not encrypted. SecurityResult follows.
 */
export class MsLogonIISecurity implements SecurityHandler {
  readonly name = 'MSLogonII';
  readonly checksCredentials = true;
  private readonly prompt: Prompt = { asked: false };

  step(context: SecurityContext): boolean {
    const { queue } = context;
    if (!queue.has(24)) return false;
    const credentials = usernameAndPassword(context.credentials, this.name, this.prompt);
    if (!credentials) return false;
    const generator = toBigInt(queue.bytes(8));
    const modulus = toBigInt(queue.bytes(8));
    const serverPublic = toBigInt(queue.bytes(8));
    if (modulus < 3n || generator < 2n || serverPublic < 1n || serverPublic >= modulus) {
      throw protocolError(
        'the server’s MSLogonII key exchange is invalid (its modulus, generator or public value)',
      );
    }
    const exponent = toBigInt(randomBytes(8));
    const secret = toBytes(modPow(serverPublic, exponent, modulus));
    const publicValue = toBytes(modPow(generator, exponent, modulus));
    const user = new Uint8Array(randomBytes(USERNAME_FIELD));
    user.set(credentialField(credentials.username, USERNAME_FIELD, 'username'));
    const pass = new Uint8Array(randomBytes(PASSWORD_FIELD));
    pass.set(credentialField(credentials.password, PASSWORD_FIELD, 'password'));
    // The shared secret bit-reversed per byte, the way VNC Authentication turns a password into a key.
    const key = secret.map(reverseBits);
    const encipher = (field: Uint8Array) =>
      CBC.instantiate(DES).create({ type: 'encrypt', key, iv: secret, padding: false }).update(field);
    context.send(
      Buffer.concat([publicValue, Uint8Array.from(encipher(user)), Uint8Array.from(encipher(pass))]),
    );
    user.fill(0);
    pass.fill(0);
    return true;
  }

  resultFollows(): boolean {
    return true;
  }

  channel(): ChannelSecurity {
    return { type: this.name, encrypted: false, identity: 'unverified' };
  }
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.reduce((value, byte) => (value << 8n) | BigInt(byte), 0n);
}

/** An 8-byte big-endian value. */
function toBytes(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  for (let i = 7; i >= 0; i--, value >>= 8n) out[i] = Number(value & 0xffn);
  return out;
}

/** base^exponent mod modulus (Node's Diffie-Hellman refuses a 64-bit modulus). */
function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}
