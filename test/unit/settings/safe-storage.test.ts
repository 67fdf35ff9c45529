import { beforeEach, describe, expect, it, vi } from 'vitest';

const storage = {
  backend: 'gnome_libsecret' as string,
  available: true,
  getSelectedStorageBackend: vi.fn(() => storage.backend),
  isAsyncEncryptionAvailable: vi.fn(async () => storage.available),
  encryptStringAsync: vi.fn(async (text: string) => Buffer.from([...Buffer.from(text)].map((b) => b ^ 0x5a))),
  decryptStringAsync: vi.fn(async (bytes: Buffer) => ({
    shouldReEncrypt: false,
    result: Buffer.from([...bytes].map((b) => b ^ 0x5a)).toString(),
  })),
};
vi.mock('electron', () => ({ safeStorage: storage }));

const { electronCipher, NO_KEYRING_REASON } = await import('../../../main/electron/safe-storage.ts');

beforeEach(() => {
  storage.backend = 'gnome_libsecret';
  storage.available = true;
});

describe('electronCipher', () => {
  it('encrypts and decrypts through safeStorage’s async API', async () => {
    const cipher = electronCipher('linux');
    expect(await cipher.status()).toEqual({ available: true });
    const sealed = await cipher.encrypt('hunter2');
    expect(sealed).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(sealed).toString()).not.toContain('hunter2');
    expect(await cipher.decrypt(sealed)).toBe('hunter2');
  });

  it.each(['basic_text', 'unknown'])('counts the Linux %s backend as no keyring', async (backend) => {
    storage.backend = backend;
    expect(await electronCipher('linux').status()).toEqual({ available: false, reason: NO_KEYRING_REASON });
    expect(NO_KEYRING_REASON).toContain('GNOME Keyring/KWallet');
  });

  it('ignores the Linux backend elsewhere and reports an unavailable encryptor', async () => {
    storage.backend = 'basic_text';
    expect(await electronCipher('darwin').status()).toEqual({ available: true });
    storage.available = false;
    const status = await electronCipher('win32').status();
    expect(status.available).toBe(false);
    expect(status.reason).toMatch(/cannot encrypt/);
  });
});
