import {
  constants,
  createHash,
  createPublicKey,
  generateKeyPair,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
} from 'node:crypto';

/**
 * An RSA public key as RSA-AES sends it (TigerVNC CSecurityRSAAES): U32 length in bits, then
 * the modulus and the exponent, each ceil(bits / 8) bytes, big-endian, zero-padded on the left.
 */
export interface WireRsaKey {
  bits: number;
  modulus: Uint8Array;
  exponent: Uint8Array;
}

export function encodeWireKey(key: WireRsaKey): Uint8Array {
  const out = new Uint8Array(4 + key.modulus.length + key.exponent.length);
  new DataView(out.buffer).setUint32(0, key.bits);
  out.set(key.modulus, 4);
  out.set(key.exponent, 4 + key.modulus.length);
  return out;
}

/** Node's key for a wire key; throws if it is not a usable RSA key (OpenSSL takes even a zero modulus). */
export function publicKeyOf(key: WireRsaKey): KeyObject {
  const n = toBigInt(key.modulus);
  const e = toBigInt(key.exponent);
  if (n.toString(2).length < 1024 || n % 2n === 0n)
    throw new Error('the modulus is even or shorter than 1024 bits');
  if (e < 3n || e % 2n === 0n) throw new Error('the exponent is even or below 3');
  return createPublicKey({
    key: { kty: 'RSA', n: base64url(key.modulus), e: base64url(key.exponent) },
    format: 'jwk',
  });
}

/** A key of ours on the wire, its numbers padded to ceil(bits / 8) bytes. */
export function wireKeyOf(publicKey: KeyObject, bits: number): WireRsaKey {
  const jwk = publicKey.export({ format: 'jwk' });
  const size = Math.ceil(bits / 8);
  return {
    bits,
    modulus: leftPad(Buffer.from(jwk.n!, 'base64url'), size),
    exponent: leftPad(Buffer.from(jwk.e!, 'base64url'), size),
  };
}

/** A fresh key pair of `bits` (off the event loop: large keys take seconds). */
export function generateRsaKey(bits: number): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  return new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: bits, publicExponent: 65537 }, (error, publicKey, privateKey) =>
      error ? reject(error) : resolve({ publicKey, privateKey }),
    );
  });
}

/** RSAES-PKCS1-v1_5 encryption (RFC 8017 §7.2.1); the result is as long as the modulus. */
export function encryptPkcs1(key: KeyObject, data: Uint8Array): Uint8Array {
  return new Uint8Array(publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, data));
}

/**
 * RSAES-PKCS1-v1_5 decryption of a message of exactly `length` bytes, undefined if it is not
 * one. Node refuses PKCS#1 v1.5 in privateDecrypt (CVE-2023-46809), so this deciphers without
 * padding and checks the padding itself (RFC 8017 §7.2.2 step 3) without branching on it.
 */
export function decryptPkcs1(key: KeyObject, data: Uint8Array, length: number): Uint8Array | undefined {
  let em: Uint8Array;
  try {
    em = new Uint8Array(privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, data));
  } catch {
    return undefined;
  }
  return unpadPkcs1(em, length);
}

/** EM = 0x00 ‖ 0x02 ‖ PS (at least 8 non-zero bytes) ‖ 0x00 ‖ M, with M `length` bytes. */
export function unpadPkcs1(em: Uint8Array, length: number): Uint8Array | undefined {
  const separator = em.length - length - 1;
  if (separator < 10) return undefined;
  let bad = em[0] | (em[1] ^ 2) | em[separator];
  for (let i = 2; i < separator; i++) bad |= ((em[i] - 1) >> 8) & 1;
  return bad === 0 ? em.slice(separator + 1) : undefined;
}

/** RealVNC's and TigerVNC's fingerprint: the first 8 bytes of SHA-1 of the wire key, "xx-xx-…". */
export function realVncFingerprint(key: WireRsaKey): string {
  const digest = createHash('sha1').update(encodeWireKey(key)).digest('hex');
  return digest.slice(0, 16).match(/../g)!.join('-');
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

function base64url(bytes: Uint8Array): string {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return Buffer.from(bytes.subarray(start)).toString('base64url');
}

function leftPad(bytes: Uint8Array, size: number): Uint8Array {
  if (bytes.length >= size) return new Uint8Array(bytes.subarray(bytes.length - size));
  const out = new Uint8Array(size);
  out.set(bytes, size - bytes.length);
  return out;
}
