import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { PasswordCipher } from '../../../main/app/password-vault.ts';

/** A real reversible cipher for tests: AES-256-GCM with a fixed test key (iv, tag, ciphertext). */
export function aesTestCipher(key = Buffer.alloc(32, 7)): PasswordCipher & { encrypted: number } {
  const cipher = {
    encrypted: 0,
    status: async () => ({ available: true }),
    encrypt: async (text: string) => {
      cipher.encrypted++;
      const iv = randomBytes(12);
      const aes = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([aes.update(text, 'utf8'), aes.final()]);
      return new Uint8Array(Buffer.concat([iv, aes.getAuthTag(), body]));
    },
    decrypt: async (bytes: Uint8Array) => {
      const data = Buffer.from(bytes);
      const aes = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      aes.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([aes.update(data.subarray(28)), aes.final()]).toString('utf8');
    },
  };
  return cipher;
}
