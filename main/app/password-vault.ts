import { join } from 'node:path';
import type { PasswordStorage } from '../../shared/ipc.ts';
import { moveAside, readTextIfExists, removeStrayTemporaries, writeJsonAtomic } from './json-file.ts';

/**
 * Encrypts and decrypts passwords with a key the platform keeps (Electron's safeStorage).
 * `status` says whether it can, and if not, why, in words for the user.
 */
export interface PasswordCipher {
  status(): Promise<PasswordStorage>;
  encrypt(text: string): Promise<Uint8Array>;
  decrypt(bytes: Uint8Array): Promise<string>;
}

/** A cipher that never stores anything, with the reason shown to the user. */
export function unavailableCipher(reason: string): PasswordCipher {
  const fail = (): never => {
    throw new Error(`passwords cannot be stored: ${reason}`);
  };
  return {
    status: async () => ({ available: false, reason }),
    encrypt: async () => fail(),
    decrypt: async () => fail(),
  };
}

export const BROWSER_MODE_CIPHER_REASON =
  'browser mode has no system keyring; the desktop app stores passwords';

/** An encrypted password as kept in memory and on disk: base64 of the cipher's bytes. */
export type SealedPassword = string;

const MAX_ENTRIES = 10_000;
const MAX_SEALED_LENGTH = 64 * 1024;

/**
 * Bookmark passwords, encrypted, in `passwords.json` beside settings.json:
 * `{ version: 1, entries: { <bookmarkId>: <base64 ciphertext> } }`, mode 0600, written
 * atomically. The plain text exists only in memory, on its way to or from the cipher.
 */
export class PasswordVault {
  readonly path: string;
  private readonly cipher: PasswordCipher;
  private entries = new Map<string, SealedPassword>();
  private loaded: Promise<void> | undefined;
  /** Problems met while loading, for the user. */
  readonly notices: string[] = [];

  constructor(dataDir: string, cipher: PasswordCipher) {
    this.path = join(dataDir, 'passwords.json');
    this.cipher = cipher;
  }

  status(): Promise<PasswordStorage> {
    return this.cipher.status().catch((error: Error) => ({ available: false, reason: error.message }));
  }

  load(): Promise<void> {
    this.loaded ??= this.read();
    return this.loaded;
  }

  async has(id: string): Promise<boolean> {
    await this.load();
    return this.entries.has(id);
  }

  async ids(): Promise<string[]> {
    await this.load();
    return [...this.entries.keys()];
  }

  /** Encrypts and stores a password; throws (storing nothing) when the cipher is unavailable. */
  async set(id: string, password: string): Promise<void> {
    await this.load();
    const status = await this.status();
    if (!status.available) throw new Error(`passwords cannot be stored: ${status.reason ?? 'no keyring'}`);
    const sealed = Buffer.from(await this.cipher.encrypt(password)).toString('base64');
    await this.put(id, sealed);
  }

  /** The stored password in plain text, or undefined when there is none or it cannot be decrypted. */
  async get(id: string): Promise<string | undefined> {
    await this.load();
    const sealed = this.entries.get(id);
    if (sealed === undefined) return undefined;
    try {
      return await this.cipher.decrypt(Buffer.from(sealed, 'base64'));
    } catch {
      return undefined;
    }
  }

  /** The encrypted form, to keep aside (undo) or copy (duplicate) without decrypting it. */
  async sealed(id: string): Promise<SealedPassword | undefined> {
    await this.load();
    return this.entries.get(id);
  }

  async put(id: string, sealed: SealedPassword): Promise<void> {
    await this.load();
    const next = new Map(this.entries);
    next.set(id, sealed);
    await this.write(next);
  }

  async remove(ids: readonly string[]): Promise<void> {
    await this.load();
    const next = new Map(this.entries);
    for (const id of ids) next.delete(id);
    if (next.size !== this.entries.size) await this.write(next);
  }

  private async write(next: Map<string, SealedPassword>): Promise<void> {
    if (next.size > MAX_ENTRIES) throw new Error(`at most ${MAX_ENTRIES} passwords can be stored`);
    await writeJsonAtomic(this.path, { version: 1, entries: Object.fromEntries(next) }, 0o600);
    this.entries = next;
  }

  private async read(): Promise<void> {
    await removeStrayTemporaries(this.path);
    const text = await readTextIfExists(this.path);
    if (text === undefined) return;
    const entries = parseVault(text);
    if (entries) {
      this.entries = entries;
      return;
    }
    const aside = await moveAside(this.path, 'corrupt');
    this.notices.push(
      `Porthole could not read the stored passwords in ${this.path}; it was moved to ${aside}; bookmarks will ask for their passwords again.`,
    );
  }
}

function parseVault(text: string): Map<string, SealedPassword> | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const { version, entries } = data as { version?: unknown; entries?: unknown };
  if (version !== 1 || typeof entries !== 'object' || entries === null || Array.isArray(entries)) {
    return undefined;
  }
  const map = new Map<string, SealedPassword>();
  for (const [id, sealed] of Object.entries(entries)) {
    if (
      typeof sealed !== 'string' ||
      sealed.length > MAX_SEALED_LENGTH ||
      !/^[A-Za-z0-9+/]*={0,2}$/.test(sealed)
    ) {
      return undefined;
    }
    map.set(id, sealed);
  }
  return map;
}
