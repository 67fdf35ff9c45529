import { createHash, type KeyObject, randomBytes } from 'node:crypto';
import { EaxMessages } from '../../main/rfb/security/eax-messages.ts';
import {
  decryptPkcs1,
  encodeWireKey,
  encryptPkcs1,
  publicKeyOf,
  type WireRsaKey,
  wireKeyOf,
} from '../../main/rfb/security/rsa.ts';
import type { ServerIo, ServerSecurity } from './security-front.ts';

export interface RsaAesServerOptions {
  type: 5 | 6 | 129 | 130;
  /** The server's key pair (its public key is what the client pins). */
  keys: { publicKey: KeyObject; privateKey: KeyObject; bits: number };
  /** Absent: subtype 2, a password only. */
  username?: string;
  password: string;
}

/**
 * The server side of RSA-AES, written from rfbproto's "RSA-AES Security Type" and TigerVNC's
 * SSecurityRSAAES: send our key, read the client's, exchange randoms encrypted to each other's
 * keys, derive the AES-EAX keys, exchange hashes of both keys, ask for the credentials.
 */
export function rsaAesServer(options: RsaAesServerOptions): ServerSecurity {
  const aesBits = options.type === 5 || options.type === 6 ? 128 : 256;
  const allEncrypted = options.type === 5 || options.type === 129;
  const randomLength = aesBits / 8;
  const hash = (...parts: Uint8Array[]) => {
    const h = createHash(aesBits === 128 ? 'sha1' : 'sha256');
    for (const part of parts) h.update(part);
    return new Uint8Array(h.digest());
  };
  return {
    type: options.type,
    async run(io: ServerIo) {
      const serverKey = wireKeyOf(options.keys.publicKey, options.keys.bits);
      io.write(encodeWireKey(serverKey));

      const bits = Buffer.from(await io.read(4)).readUInt32BE(0);
      if (bits < 1024 || bits > 8192) throw new Error(`the client's key is ${bits} bits`);
      const size = Math.ceil(bits / 8);
      const clientKey: WireRsaKey = { bits, modulus: await io.read(size), exponent: await io.read(size) };

      const serverRandom = new Uint8Array(randomBytes(randomLength));
      const encrypted = encryptPkcs1(publicKeyOf(clientKey), serverRandom);
      io.write(Buffer.concat([Uint8Array.of(encrypted.length >> 8, encrypted.length & 0xff), encrypted]));

      const randomSize = Buffer.from(await io.read(2)).readUInt16BE(0);
      if (randomSize !== serverKey.modulus.length)
        throw new Error(`the client's random is ${randomSize} bytes`);
      const clientRandom = decryptPkcs1(options.keys.privateKey, await io.read(randomSize), randomLength);
      if (!clientRandom) throw new Error('the client random does not decipher');

      const cipher = new EaxMessages(
        hash(serverRandom, clientRandom).subarray(0, randomLength),
        hash(clientRandom, serverRandom).subarray(0, randomLength),
      );
      const plain = new PlainReader(io, cipher);
      io.write(cipher.seal(hash(encodeWireKey(serverKey), encodeWireKey(clientKey))));
      const clientHash = await plain.read(aesBits === 128 ? 20 : 32);
      const expected = hash(encodeWireKey(clientKey), encodeWireKey(serverKey));
      if (!Buffer.from(clientHash).equals(Buffer.from(expected)))
        throw new Error('the client hash does not match');

      io.write(cipher.seal(Uint8Array.of(options.username === undefined ? 2 : 1)));
      const username = Buffer.from(await plain.read((await plain.read(1))[0])).toString();
      const password = Buffer.from(await plain.read((await plain.read(1))[0])).toString();
      const accepted = username === (options.username ?? '') && password === options.password;
      return { accepted, ...(allEncrypted && { cipher }) };
    },
  };
}

/** The deciphered bytes of the client's AES-EAX messages. */
class PlainReader {
  private buffered = new Uint8Array(0);
  private readonly io: ServerIo;
  private readonly cipher: EaxMessages;

  constructor(io: ServerIo, cipher: EaxMessages) {
    this.io = io;
    this.cipher = cipher;
  }

  async read(n: number): Promise<Uint8Array> {
    while (this.buffered.length < n) {
      const length = Buffer.from(await this.io.read(2)).readUInt16BE(0);
      const rest = await this.io.read(length + 16);
      const opened = this.cipher.open(Buffer.concat([Uint8Array.of(length >> 8, length & 0xff), rest]));
      this.buffered = Buffer.concat([this.buffered, opened]);
    }
    const bytes = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(n);
    return bytes;
  }
}
