import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BROWSER_MODE_CIPHER_REASON,
  type PasswordCipher,
  PasswordVault,
  unavailableCipher,
} from '../../../main/app/password-vault.ts';
import { SettingsStore } from '../../../main/app/settings-store.ts';
import { newBookmarkFields } from '../../../shared/settings.ts';
import { aesTestCipher } from './test-cipher.ts';

const PASSWORD = 'S3cret-pässword!';
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'porthole-passwords-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const fields = newBookmarkFields('Server', 'localhost:1');

function store(cipher: PasswordCipher = aesTestCipher()): SettingsStore {
  return new SettingsStore(dir, new PasswordVault(dir, cipher));
}

/** Fails if any file under the data directory holds the password in any common encoding. */
function expectNoPlainPassword(password = PASSWORD): void {
  const forms = [
    Buffer.from(password, 'utf8'),
    Buffer.from(password, 'utf16le'),
    Buffer.from(password, 'latin1'),
    Buffer.from(Buffer.from(password, 'utf8').toString('base64')),
    Buffer.from(Buffer.from(password, 'utf16le').toString('base64')),
    Buffer.from(Buffer.from(password, 'utf8').toString('hex')),
    Buffer.from(JSON.stringify(password)),
  ];
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) =>
    statSync(join(dir, name)).isFile(),
  );
  expect(files.length).toBeGreaterThan(0);
  for (const name of files) {
    const bytes = readFileSync(join(dir, name));
    for (const form of forms) expect(bytes.includes(form), `${name} holds the password`).toBe(false);
  }
}

describe('bookmark passwords', () => {
  it('are stored encrypted in passwords.json (0600), never in plain text, and read back by id', async () => {
    const first = store();
    const { bookmark, warnings } = await first.saveBookmark(undefined, fields, {
      action: 'set',
      password: PASSWORD,
    });
    expect(warnings).toEqual([]);
    expect(bookmark.hasPassword).toBe(true);
    await first.close();
    expectNoPlainPassword();

    const vaultFile = JSON.parse(readFileSync(join(dir, 'passwords.json'), 'utf8'));
    expect(vaultFile.version).toBe(1);
    expect(Object.keys(vaultFile.entries)).toEqual([bookmark.id]);
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).bookmarks[0].hasPassword).toBe(true);
    if (process.platform !== 'win32') expect(statSync(join(dir, 'passwords.json')).mode & 0o777).toBe(0o600);

    const second = store();
    expect(await second.passwordFor(bookmark.id)).toBe(PASSWORD);
    expect(await second.passwordFor(bookmark.id, 'localhost:5901')).toBe(PASSWORD);
    // Another server never gets it.
    expect(await second.passwordFor(bookmark.id, 'elsewhere.example:1')).toBeUndefined();
    // Saving other fields keeps it; clearing removes it from the file.
    await second.saveBookmark(bookmark.id, { ...fields, name: 'Renamed' }, { action: 'keep' });
    expect(await second.passwordFor(bookmark.id)).toBe(PASSWORD);
    const cleared = await second.saveBookmark(bookmark.id, fields, { action: 'clear' });
    expect(cleared.bookmark.hasPassword).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, 'passwords.json'), 'utf8')).entries).toEqual({});
    expect(await second.passwordFor(bookmark.id)).toBeUndefined();
  });

  it('are not stored where the cipher is unavailable, with the reason in the snapshot and the save', async () => {
    const s = store(unavailableCipher(BROWSER_MODE_CIPHER_REASON));
    const { bookmark, warnings } = await s.saveBookmark(undefined, fields, {
      action: 'set',
      password: PASSWORD,
    });
    expect(bookmark.hasPassword).toBe(false);
    expect(warnings[0]).toContain(BROWSER_MODE_CIPHER_REASON);
    const snapshot = await s.snapshot();
    expect(snapshot.passwordStorage).toEqual({ available: false, reason: BROWSER_MODE_CIPHER_REASON });
    expect(await s.passwordFor(bookmark.id)).toBeUndefined();
    await s.close();
    expect(readdirSync(dir)).toEqual(['settings.json']);
    expectNoPlainPassword();
  });

  it('follow duplicate, delete and undo, and are gone for good once the store closes', async () => {
    const cipher = aesTestCipher();
    const s = store(cipher);
    const { bookmark } = await s.saveBookmark(undefined, fields, { action: 'set', password: PASSWORD });
    const copy = await s.duplicateBookmark(bookmark.id);
    expect(copy.name).toBe('Copy of Server');
    expect(copy.hasPassword).toBe(true);
    expect(copy.id).not.toBe(bookmark.id);
    expect(await s.passwordFor(copy.id)).toBe(PASSWORD);
    expect(cipher.encrypted).toBe(1);

    const left = await s.deleteBookmark(bookmark.id);
    expect(left.map((b) => b.id)).toEqual([copy.id]);
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'passwords.json'), 'utf8')).entries)).toEqual([
      copy.id,
    ]);
    expect(await s.passwordFor(bookmark.id)).toBeUndefined();

    const restored = await s.undoDelete(bookmark.id);
    expect(restored.map((b) => b.id)).toEqual([bookmark.id, copy.id]);
    expect(restored[0].hasPassword).toBe(true);
    expect(await s.passwordFor(bookmark.id)).toBe(PASSWORD);
    await expect(s.undoDelete(bookmark.id)).rejects.toThrow(/not deleted/);

    await s.deleteBookmark(copy.id);
    await s.close();
    expectNoPlainPassword();
    const again = store(cipher);
    await expect(again.undoDelete(copy.id)).rejects.toThrow(/not deleted/);
    expect((await again.bookmarks()).map((b) => b.id)).toEqual([bookmark.id]);
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'passwords.json'), 'utf8')).entries)).toEqual([
      bookmark.id,
    ]);
  });

  it('after a crash between the two files: orphan entries are pruned, no bookmark claims a missing one', async () => {
    const s = store();
    const { bookmark } = await s.saveBookmark(undefined, fields, { action: 'set', password: PASSWORD });
    const other = await s.saveBookmark(
      undefined,
      { ...fields, name: 'Other' },
      { action: 'set', password: 'x' },
    );
    await s.close();
    const vault = JSON.parse(readFileSync(join(dir, 'passwords.json'), 'utf8'));
    vault.entries['gone-bookmark'] = vault.entries[bookmark.id];
    delete vault.entries[other.bookmark.id];
    writeFileSync(join(dir, 'passwords.json'), JSON.stringify(vault));

    const snapshot = await store().snapshot();
    expect(snapshot.bookmarks.map((b) => b.hasPassword)).toEqual([true, false]);
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'passwords.json'), 'utf8')).entries)).toEqual([
      bookmark.id,
    ]);
  });

  it('a corrupt passwords.json is moved aside with a notice; bookmarks lose their password flag', async () => {
    const s = store();
    await s.saveBookmark(undefined, fields, { action: 'set', password: PASSWORD });
    await s.close();
    writeFileSync(join(dir, 'passwords.json'), '{"version":1,"entries":{"a":"not base64!"}}');
    const snapshot = await store().snapshot();
    expect(snapshot.bookmarks[0].hasPassword).toBe(false);
    const aside = readdirSync(dir).find((name) => name.startsWith('passwords.json.corrupt-'));
    expect(aside).toBeDefined();
    expect(snapshot.notices[0]).toContain(`it was moved to ${join(dir, aside ?? '')}`);
  });
});

describe('an invalid bookmark with a password', () => {
  it('is refused before the password is written anywhere', async () => {
    const cipher = aesTestCipher();
    const s = store(cipher);
    await expect(
      s.saveBookmark(undefined, { ...fields, address: '' }, { action: 'set', password: PASSWORD }),
    ).rejects.toThrow(/address/);
    expect(cipher.encrypted).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });
});
