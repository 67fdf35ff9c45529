import { createDecipheriv, createHash, getDiffieHellman, randomBytes } from 'node:crypto';
import { reverseBits } from '../../main/rfb/security/vnc-auth.ts';
import type { ServerIo, ServerSecurity } from './security-front.ts';

export interface Account {
  username: string;
  password: string;
}

/**
 * The server side of Apple Remote Desktop (30), from TigerVNC's description (CSecurityDH) and
 * noVNC's: a 1024-bit group (RFC 2409's second Oakley group), the 128-byte block deciphered with
 * AES-128-ECB under MD5 of the shared secret.
 */
export function ardServer(account: Account): ServerSecurity {
  return {
    type: 30,
    async run(io: ServerIo) {
      const dh = getDiffieHellman('modp2');
      const size = dh.getPrime().length;
      io.write(
        Buffer.concat([
          Uint8Array.of(0, dh.getGenerator()[0], size >> 8, size & 0xff),
          dh.getPrime(),
          padded(dh.generateKeys(), size),
        ]),
      );
      const block = await io.read(128);
      const clientPublic = await io.read(size);
      const key = createHash('md5')
        .update(padded(dh.computeSecret(clientPublic), size))
        .digest();
      const plain = createDecipheriv('aes-128-ecb', key, null).setAutoPadding(false).update(block);
      return {
        accepted:
          field(plain.subarray(0, 64)) === account.username && field(plain.subarray(64)) === account.password,
      };
    },
  };
}

/**
 * The server side of UltraVNC's MS-Logon II (113), from TigerVNC's description
 * (CSecurityMSLogonII): a 64-bit prime (2^64 − 59) and generator 2, the fields deciphered with
 * OpenSSL's two-key triple DES under K ‖ K (which is single DES), IV the shared secret.
 */
export function msLogonIIServer(account: Account): ServerSecurity {
  const prime = 2n ** 64n - 59n;
  return {
    type: 113,
    async run(io: ServerIo) {
      const secretExponent = bigint(randomBytes(8));
      io.write(Buffer.concat([bytes8(2n), bytes8(prime), bytes8(power(2n, secretExponent, prime))]));
      const clientPublic = bigint(await io.read(8));
      const user = await io.read(256);
      const pass = await io.read(64);
      const secret = bytes8(power(clientPublic, secretExponent, prime));
      const key = secret.map(reverseBits);
      const decipher = (data: Uint8Array) =>
        createDecipheriv('des-ede-cbc', Buffer.concat([key, key]), secret)
          .setAutoPadding(false)
          .update(data);
      return {
        accepted: field(decipher(user)) === account.username && field(decipher(pass)) === account.password,
      };
    },
  };
}

/** A NUL-terminated UTF-8 field. */
function field(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return Buffer.from(bytes.subarray(0, end < 0 ? bytes.length : end)).toString();
}

function padded(bytes: Uint8Array, size: number): Buffer {
  return Buffer.concat([Buffer.alloc(size - bytes.length), bytes]);
}

function bigint(bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

function bytes8(value: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(value.toString(16).padStart(16, '0'), 'hex'));
}

function power(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  for (let b = base % modulus, e = exponent; e > 0n; e >>= 1n, b = (b * b) % modulus) {
    if (e & 1n) result = (result * b) % modulus;
  }
  return result;
}
