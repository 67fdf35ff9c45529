import { createHash, type KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';
import { protocolError, RfbError } from '../../../shared/rfb-error.ts';
import type { ChannelSecurity, ServerCertificate } from '../../../shared/security-types.ts';
import { ByteQueue } from '../byte-queue.ts';
import { fingerprint, serverKey } from '../transports/tls.ts';
import { EaxMessages } from './eax-messages.ts';
import type { SecurityContext, SecurityHandler } from './handler.ts';
import { unknownCertificate } from './identity.ts';
import {
  decryptPkcs1,
  encodeWireKey,
  encryptPkcs1,
  generateRsaKey,
  publicKeyOf,
  realVncFingerprint,
  type WireRsaKey,
  wireKeyOf,
} from './rsa.ts';
import { type Prompt, passwordOnly, usernameAndPassword } from './username-password.ts';

/** The key lengths TigerVNC accepts from a server (CSecurityRSAAES.cxx). */
const MIN_KEY_BITS = 1024;
const MAX_KEY_BITS = 8192;
/** What the server asks for inside the encrypted handshake. */
const SUBTYPE_USER_PASSWORD = 1;
const SUBTYPE_PASSWORD = 2;

type Phase = 'server-key' | 'identity' | 'server-random' | 'server-hash' | 'subtype' | 'done';

/**
 * RSA-AES (rfbproto "RSA-AES Security Type"; TigerVNC ≥ 1.13 CSecurityRSAAES): RA2 (5) and
 * RA2_256 (129) encrypt the whole session with AES-EAX, RA2ne (6) and RA2ne_256 (130) only the
 * handshake and the credentials. The server's RSA key is its identity, pinned like a certificate.
 *
 * 1. Server: its RSA public key. The client decides whether it trusts it, then sends an RSA key
 *    of its own of the same length and a random (16 bytes, 32 for _256) encrypted to the
 *    server's key with PKCS#1 v1.5 (U16 length, ciphertext).
 * 2. Server: its random, encrypted to the client's key the same way.
 * 3. Keys: the client sends with H(serverRandom ‖ clientRandom) and receives with
 *    H(clientRandom ‖ serverRandom) — H is SHA-1 cut to 16 bytes, or SHA-256 for _256.
 * 4. Encrypted from here: each side sends H(its key ‖ the other's key) (U32 bits, modulus,
 *    exponent of each), and checks the other's.
 * 5. Server: U8 subtype, 1 = username and password, 2 = password; the client answers U8
 *    length + username (length 0 for subtype 2), U8 length + password. SecurityResult follows.
 */
export class RsaAesSecurity implements SecurityHandler {
  readonly name: string;
  readonly checksCredentials = true;
  private readonly aesBits: 128 | 256;
  private readonly allEncrypted: boolean;
  private phase: Phase = 'server-key';
  private serverKey: WireRsaKey | undefined;
  private clientKey: WireRsaKey | undefined;
  private clientPrivateKey: KeyObject | undefined;
  private clientRandom: Uint8Array | undefined;
  private cipher: EaxMessages | undefined;
  /** The handshake's deciphered bytes (the session's queue holds what is still enciphered). */
  private readonly plain = new ByteQueue(256);
  private subtype = 0;
  private readonly prompt: Prompt = { asked: false };
  private identity: ChannelSecurity['identity'] = 'unverified';

  constructor(name: string, aesBits: 128 | 256, allEncrypted: boolean) {
    this.name = name;
    this.aesBits = aesBits;
    this.allEncrypted = allEncrypted;
  }

  private get randomLength(): number {
    return this.aesBits / 8;
  }

  step(context: SecurityContext): boolean {
    switch (this.phase) {
      case 'server-key':
        return this.readServerKey(context);
      case 'identity':
        return false;
      case 'server-random':
        return this.readServerRandom(context);
      case 'server-hash':
      case 'subtype':
        return this.readEncrypted(context);
      case 'done':
        return true;
    }
  }

  private readServerKey(context: SecurityContext): boolean {
    const { queue } = context;
    if (!queue.has(4)) return false;
    const bits = queue.peekU32();
    if (bits < MIN_KEY_BITS || bits > MAX_KEY_BITS) {
      throw protocolError(
        `the server's RSA-AES key is ${bits} bits long; ${MIN_KEY_BITS} to ${MAX_KEY_BITS} are accepted`,
      );
    }
    const size = Math.ceil(bits / 8);
    if (!queue.has(4 + 2 * size)) return false;
    queue.consume(4);
    const key: WireRsaKey = { bits, modulus: queue.bytes(size).slice(), exponent: queue.bytes(size).slice() };
    let publicKey: KeyObject;
    try {
      publicKey = publicKeyOf(key);
    } catch (error) {
      throw protocolError(`the server's RSA-AES key is not a valid RSA key (${(error as Error).message})`);
    }
    this.serverKey = key;
    this.phase = 'identity';
    context.wait(this.establish(context, publicKey), () => {
      this.phase = 'server-random';
    });
    return false;
  }

  /** Settles the server's identity (nothing is sent before), then makes our key and random. */
  private async establish(context: SecurityContext, serverPublicKey: KeyObject): Promise<void> {
    const certificate = this.describeKey(context, serverPublicKey);
    const { checkIdentity } = context.options;
    if (!checkIdentity) throw unknownCertificate(certificate);
    this.identity = await checkIdentity(certificate);
    const bits = this.serverKey!.bits;
    const { publicKey, privateKey } = await generateRsaKey(bits);
    this.clientKey = wireKeyOf(publicKey, bits);
    this.clientPrivateKey = privateKey;
    this.clientRandom = new Uint8Array(randomBytes(this.randomLength));
    const encrypted = encryptPkcs1(serverPublicKey, this.clientRandom);
    const length = Uint8Array.of(encrypted.length >> 8, encrypted.length & 0xff);
    context.send(Buffer.concat([encodeWireKey(this.clientKey), length, encrypted]));
  }

  private describeKey(context: SecurityContext, publicKey: KeyObject): ServerCertificate {
    const server = context.options.server ?? { host: 'localhost', port: 0 };
    const key = this.serverKey!;
    return {
      server: serverKey(server.host, server.port),
      subject: `RSA-AES key, ${key.bits} bits (TigerVNC and RealVNC show its fingerprint as ${realVncFingerprint(key)})`,
      issuer: 'no one: a bare key, not a certificate',
      publicKeySha256: fingerprint(publicKey.export({ type: 'spki', format: 'der' })),
      problem: 'RSA-AES servers present a bare key, which no certificate authority vouches for',
    };
  }

  private readServerRandom(context: SecurityContext): boolean {
    const { queue } = context;
    if (!queue.has(2)) return false;
    const size = queue.peekU16();
    const expected = this.clientKey!.modulus.length;
    if (size !== expected) {
      throw protocolError(`the server's RSA-AES random is ${size} bytes; our key needs ${expected}`);
    }
    if (!queue.has(2 + size)) return false;
    queue.consume(2);
    const serverRandom = decryptPkcs1(this.clientPrivateKey!, queue.bytes(size), this.randomLength);
    if (!serverRandom) throw protocolError('the server’s RSA-AES random could not be deciphered');
    const clientRandom = this.clientRandom!;
    this.cipher = new EaxMessages(
      this.hash([clientRandom, serverRandom]).subarray(0, this.randomLength),
      this.hash([serverRandom, clientRandom]).subarray(0, this.randomLength),
    );
    this.clientPrivateKey = undefined;
    serverRandom.fill(0);
    clientRandom.fill(0);
    context.send(
      this.cipher.seal(this.hash([encodeWireKey(this.clientKey!), encodeWireKey(this.serverKey!)])),
    );
    this.phase = 'server-hash';
    return this.readEncrypted(context);
  }

  /** The steps inside AES-EAX: the server's hash, its subtype, our credentials. */
  private readEncrypted(context: SecurityContext): boolean {
    const { queue } = context;
    if (queue.length > 0) this.plain.push(this.cipher!.open(queue.bytes(queue.length).slice()));
    if (this.phase === 'server-hash') {
      const expected = this.hash([encodeWireKey(this.serverKey!), encodeWireKey(this.clientKey!)]);
      if (!this.plain.has(expected.length)) return false;
      if (!timingSafeEqual(this.plain.bytes(expected.length), expected)) {
        throw protocolError(
          'the server’s RSA-AES key hash does not match: someone between us may be relaying the connection',
        );
      }
      this.phase = 'subtype';
    }
    if (this.subtype === 0) {
      if (!this.plain.has(1)) return false;
      this.subtype = this.plain.u8();
      if (this.subtype !== SUBTYPE_USER_PASSWORD && this.subtype !== SUBTYPE_PASSWORD) {
        throw protocolError(`the server asks for RSA-AES subtype ${this.subtype}; 1 and 2 exist`);
      }
    }
    return this.sendCredentials(context);
  }

  private sendCredentials(context: SecurityContext): boolean {
    const given =
      this.subtype === SUBTYPE_USER_PASSWORD
        ? usernameAndPassword(context.credentials, this.name, this.prompt)
        : passwordOnly(context.credentials, this.prompt);
    if (!given) return false;
    const { username, password } = given;
    const user = new TextEncoder().encode(username);
    const pass = new TextEncoder().encode(password);
    if (user.length > 255 || pass.length > 255) {
      throw new RfbError('auth', `${this.name} takes a username and a password of at most 255 bytes each`);
    }
    const message = Buffer.concat([Uint8Array.of(user.length), user, Uint8Array.of(pass.length), pass]);
    context.send(this.cipher!.seal(message));
    message.fill(0);
    if (this.plain.length > 0 || this.cipher!.partial) {
      throw protocolError('the server sent more than the RSA-AES handshake before the credentials');
    }
    if (this.allEncrypted) context.encryptStream(this.cipher!);
    this.phase = 'done';
    return true;
  }

  private hash(parts: Uint8Array[]): Uint8Array {
    const hash = createHash(this.aesBits === 128 ? 'sha1' : 'sha256');
    for (const part of parts) hash.update(part);
    return new Uint8Array(hash.digest());
  }

  resultFollows(): boolean {
    return true;
  }

  channel(): ChannelSecurity {
    return {
      type: this.name,
      encrypted: this.allEncrypted,
      ...(this.allEncrypted && { protocol: `AES-${this.aesBits}-EAX` }),
      identity: this.identity,
    };
  }
}
