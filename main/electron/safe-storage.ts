import { safeStorage } from 'electron';
import type { PasswordStorage } from '../../shared/ipc.ts';
import type { PasswordCipher } from '../app/password-vault.ts';

export const NO_KEYRING_REASON =
  'no system keyring (GNOME Keyring/KWallet) is running, so Porthole does not store passwords';

/**
 * Electron's safeStorage as the password vault's cipher (async API). On Linux the
 * `basic_text` backend encrypts with a key kept beside the data, which protects nothing, so
 * it counts as unavailable, as does `unknown` (asked before the app is ready).
 */
export function electronCipher(platform: NodeJS.Platform = process.platform): PasswordCipher {
  return {
    async status(): Promise<PasswordStorage> {
      if (platform === 'linux') {
        const backend = safeStorage.getSelectedStorageBackend();
        if (backend === 'basic_text' || backend === 'unknown')
          return { available: false, reason: NO_KEYRING_REASON };
      }
      if (!(await safeStorage.isAsyncEncryptionAvailable())) {
        return {
          available: false,
          reason: 'the system cannot encrypt passwords for Porthole, so it does not store them',
        };
      }
      return { available: true };
    },
    async encrypt(text) {
      return new Uint8Array(await safeStorage.encryptStringAsync(text));
    },
    async decrypt(bytes) {
      const { result } = await safeStorage.decryptStringAsync(Buffer.from(bytes));
      return result;
    },
  };
}
