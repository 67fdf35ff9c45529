import { createCipheriv, timingSafeEqual } from 'node:crypto';

const BLOCK = 16;
const ZERO_BLOCK = new Uint8Array(BLOCK);

/**
 * AES in EAX mode (Bellare, Rogaway, Wagner, "The EAX Mode of Operation", 2004), which Node
 * does not have, built from what it has: OMAC (CMAC) from AES-CBC with a zero IV, and AES-CTR
 * (OpenSSL's CTR counts the whole 16-byte block big-endian, as EAX's does). The tag is the full
 * 16 bytes. The key is 16 bytes (AES-128) or 32 (AES-256).
 */
export class AesEax {
  private readonly key: Uint8Array;
  private readonly cbc: string;
  private readonly ctr: string;
  /** OMAC's subkeys: B for a last block that is full, P for one that is padded. */
  private readonly b: Uint8Array;
  private readonly p: Uint8Array;

  constructor(key: Uint8Array) {
    if (key.length !== 16 && key.length !== 32) throw new RangeError('an AES-EAX key is 16 or 32 bytes');
    this.key = key;
    this.cbc = `aes-${key.length * 8}-cbc`;
    this.ctr = `aes-${key.length * 8}-ctr`;
    const l = this.blockCipher(ZERO_BLOCK);
    this.b = double(l);
    this.p = double(this.b);
  }

  /** The ciphertext (as long as the plaintext) and the 16-byte tag. */
  encrypt(
    nonce: Uint8Array,
    header: Uint8Array,
    plaintext: Uint8Array,
  ): { ciphertext: Uint8Array; tag: Uint8Array } {
    const n = this.omac(0, nonce);
    const h = this.omac(1, header);
    const ciphertext = this.counterMode(n, plaintext);
    return { ciphertext, tag: xor3(n, h, this.omac(2, ciphertext)) };
  }

  /** The plaintext, or undefined when the tag does not match (checked before anything is deciphered). */
  decrypt(
    nonce: Uint8Array,
    header: Uint8Array,
    ciphertext: Uint8Array,
    tag: Uint8Array,
  ): Uint8Array | undefined {
    const n = this.omac(0, nonce);
    const expected = xor3(n, this.omac(1, header), this.omac(2, ciphertext));
    if (tag.length !== BLOCK || !timingSafeEqual(expected, tag)) return undefined;
    return this.counterMode(n, ciphertext);
  }

  /** OMAC^t(M) = OMAC([t]_16 ‖ M): the tweak t as a whole block before the data. */
  private omac(tweak: number, data: Uint8Array): Uint8Array {
    const length = BLOCK + data.length;
    const padded = Math.ceil(length / BLOCK) * BLOCK;
    const message = new Uint8Array(padded);
    message[BLOCK - 1] = tweak;
    message.set(data, BLOCK);
    const last = padded - BLOCK;
    if (length === padded) {
      for (let i = 0; i < BLOCK; i++) message[last + i] ^= this.b[i];
    } else {
      message[length] = 0x80;
      for (let i = 0; i < BLOCK; i++) message[last + i] ^= this.p[i];
    }
    const cipher = createCipheriv(this.cbc, this.key, ZERO_BLOCK).setAutoPadding(false);
    return new Uint8Array(cipher.update(message).subarray(last));
  }

  private counterMode(counter: Uint8Array, data: Uint8Array): Uint8Array {
    if (data.length === 0) return new Uint8Array(0);
    return new Uint8Array(createCipheriv(this.ctr, this.key, counter).update(data));
  }

  private blockCipher(block: Uint8Array): Uint8Array {
    const cipher = createCipheriv(this.cbc, this.key, ZERO_BLOCK).setAutoPadding(false);
    return new Uint8Array(cipher.update(block));
  }
}

/** Doubling in GF(2^128) (OMAC's subkeys): shift left one bit, reduce by x^128 + x^7 + x^2 + x + 1. */
function double(block: Uint8Array): Uint8Array {
  const out = new Uint8Array(BLOCK);
  for (let i = 0; i < BLOCK; i++) out[i] = ((block[i] << 1) | (i + 1 < BLOCK ? block[i + 1] >> 7 : 0)) & 0xff;
  if (block[0] & 0x80) out[BLOCK - 1] ^= 0x87;
  return out;
}

function xor3(a: Uint8Array, b: Uint8Array, c: Uint8Array): Uint8Array {
  const out = new Uint8Array(BLOCK);
  for (let i = 0; i < BLOCK; i++) out[i] = a[i] ^ b[i] ^ c[i];
  return out;
}
