import { constants, generateKeyPairSync, publicEncrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EaxMessages } from '../../../main/rfb/security/eax-messages.ts';
import { decryptPkcs1, unpadPkcs1 } from '../../../main/rfb/security/rsa.ts';
import { Bytes } from '../../support/decode-harness.ts';
import { ScriptedServer } from '../../support/scripted-server.ts';

describe('RSA PKCS#1 v1.5 (RSA-AES randoms)', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });

  it('deciphers what publicEncrypt enciphered, of exactly the expected length', () => {
    const random = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    const sealed = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, random);
    expect(decryptPkcs1(privateKey, sealed, 16)).toEqual(random);
    expect(decryptPkcs1(privateKey, sealed, 32)).toBeUndefined();
    expect(decryptPkcs1(privateKey, sealed.subarray(1), 16)).toBeUndefined();
  });

  it('refuses a wrong block type, a zero in the padding, a missing separator, short padding', () => {
    const good = new Uint8Array(128).fill(0x55);
    good[0] = 0;
    good[1] = 2;
    good[128 - 17] = 0;
    expect(unpadPkcs1(good, 16)).toEqual(new Uint8Array(16).fill(0x55));
    const changed = (at: number, value: number) => {
      const copy = good.slice();
      copy[at] = value;
      return copy;
    };
    expect(unpadPkcs1(changed(1, 1), 16)).toBeUndefined();
    expect(unpadPkcs1(changed(0, 1), 16)).toBeUndefined();
    expect(unpadPkcs1(changed(40, 0), 16)).toBeUndefined();
    expect(unpadPkcs1(changed(128 - 17, 9), 16)).toBeUndefined();
    expect(unpadPkcs1(good, 118)).toBeUndefined();
  });
});

describe('RSA-AES messages', () => {
  it('open what the other side seals, in any split, and refuse a changed byte', () => {
    const a = new Uint8Array(16).fill(1);
    const b = new Uint8Array(16).fill(2);
    const client = new EaxMessages(a, b);
    const server = new EaxMessages(b, a);
    const data = Uint8Array.from({ length: 20_000 }, (_, i) => i & 0xff);
    const wire = server.seal(data);
    const opened: number[] = [];
    for (let at = 0; at < wire.length; at += 777) opened.push(...client.open(wire.subarray(at, at + 777)));
    expect(Uint8Array.from(opened)).toEqual(data);
    expect(client.partial).toBe(false);
    const forged = server.seal(Uint8Array.of(1, 2, 3));
    forged[3] ^= 1;
    expect(() => client.open(forged)).toThrow(/integrity check/);
  });
});

describe('RSA-AES handshake checks', () => {
  it('refuses a server key shorter than 1024 bits before sending anything', () => {
    const s = new ScriptedServer({ security: { preferences: [5] } });
    s.send('RFB 003.008\n').send(new Bytes().u8(1, 5));
    s.takeSent();
    s.send(new Bytes().u32(512));
    expect(s.takeSent()).toEqual([]);
    expect(s.error?.message).toMatch(/RSA-AES key is 512 bits long; 1024 to 8192 are accepted/);
  });

  it('refuses a key that is not an RSA key', () => {
    const s = new ScriptedServer({ security: { preferences: [5] } });
    s.send('RFB 003.008\n').send(new Bytes().u8(1, 5));
    s.send(new Bytes().u32(1024).raw(new Uint8Array(256)));
    expect(s.error?.kind).toBe('protocol');
    expect(s.error?.message).toMatch(/not a valid RSA key/);
  });
});
