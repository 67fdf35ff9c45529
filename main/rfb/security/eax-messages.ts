import { protocolError } from '../../../shared/rfb-error.ts';
import { AesEax } from './aes-eax.ts';
import type { StreamCipher } from './handler.ts';

const TAG = 16;
/** TigerVNC's AESOutStream sends at most this much in one message; any U16 length is read. */
const MAX_SENT = 8192;

/**
 * RSA-AES's encrypted stream (TigerVNC rdr/AESInStream, AESOutStream): each message is a U16
 * length, that many bytes of AES-EAX ciphertext and a 16-byte tag. The length is the
 * associated data; the nonce is a 16-byte little-endian counter of the messages sent in that
 * direction, starting at 0. One key deciphers what arrives, another enciphers what is sent.
 */
export class EaxMessages implements StreamCipher {
  private readonly opener: AesEax;
  private readonly sealer: AesEax;
  private readonly inNonce = new Uint8Array(16);
  private readonly outNonce = new Uint8Array(16);
  /** Received bytes of a message not yet complete (at most one message's worth). */
  private pending = new Uint8Array(0);

  constructor(receiveKey: Uint8Array, sendKey: Uint8Array) {
    this.opener = new AesEax(receiveKey);
    this.sealer = new AesEax(sendKey);
  }

  /** Whether part of a message is waiting for the rest. */
  get partial(): boolean {
    return this.pending.length > 0;
  }

  open(chunk: Uint8Array): Uint8Array {
    const data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const plain: Uint8Array[] = [];
    let at = 0;
    while (data.length - at >= 2) {
      const length = (data[at] << 8) | data[at + 1];
      if (data.length - at < 2 + length + TAG) break;
      const header = data.subarray(at, at + 2);
      const body = data.subarray(at + 2, at + 2 + length);
      const tag = data.subarray(at + 2 + length, at + 2 + length + TAG);
      const opened = this.opener.decrypt(this.inNonce, header, body, tag);
      if (!opened) {
        throw protocolError(
          'a message from the server failed its RSA-AES integrity check: the connection was altered on the way or the server is broken',
        );
      }
      plain.push(opened);
      increment(this.inNonce);
      at += 2 + length + TAG;
    }
    this.pending = data.slice(at);
    return plain.length === 1 ? plain[0] : Buffer.concat(plain);
  }

  seal(bytes: Uint8Array): Uint8Array {
    const messages: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; at += MAX_SENT) {
      const part = bytes.subarray(at, at + MAX_SENT);
      const header = Uint8Array.of(part.length >> 8, part.length & 0xff);
      const { ciphertext, tag } = this.sealer.encrypt(this.outNonce, header, part);
      messages.push(header, ciphertext, tag);
      increment(this.outNonce);
    }
    return Buffer.concat(messages);
  }
}

/** The nonce as a 128-bit little-endian counter. */
function increment(counter: Uint8Array): void {
  for (let i = 0; i < counter.length; i++) {
    counter[i] = (counter[i] + 1) & 0xff;
    if (counter[i] !== 0) return;
  }
}
