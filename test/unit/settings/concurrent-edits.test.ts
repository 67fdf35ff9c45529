import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PasswordVault } from '../../../main/app/password-vault.ts';
import { SettingsStore } from '../../../main/app/settings-store.ts';
import { mergeEdit } from '../../../main/app/three-way-merge.ts';
import { newBookmarkFields } from '../../../shared/settings.ts';
import { aesTestCipher } from './test-cipher.ts';

/*
 * Two places editing one settings document: every save raises its revision, a save made on an
 * older copy is merged where the fields differ and refused (naming the fields) where both
 * changed one, and a store takes what another process wrote to the file before its next write.
 */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'porthole-concurrent-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const openStore = () => new SettingsStore(dir, new PasswordVault(dir, aesTestCipher()));
const KEEP = { action: 'keep' } as const;
const onDisk = () => JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'));

describe('three-way merge', () => {
  const base = { name: 'a', address: 'h:1', tags: ['x'], ssh: { host: '', port: 22 } };
  it('takes each side’s changes to different fields, nested ones too', () => {
    const theirs = { ...base, name: 'b', ssh: { host: 'bastion', port: 22 } };
    const ours = { ...base, address: 'h:2', ssh: { host: '', port: 2222 } };
    expect(mergeEdit(base, theirs, ours)).toEqual({
      merged: { name: 'b', address: 'h:2', tags: ['x'], ssh: { host: 'bastion', port: 2222 } },
      conflicts: [],
    });
  });
  it('names each field both changed differently; the same change on both sides is no conflict', () => {
    const theirs = { ...base, name: 'b', tags: ['y'], address: 'h:9' };
    const ours = { ...base, name: 'c', tags: ['z'], address: 'h:9' };
    expect(mergeEdit(base, theirs, ours).conflicts).toEqual(['name', 'tags']);
  });
});

describe('the settings store with two editors', () => {
  it('raises the revision with every save', async () => {
    const store = openStore();
    expect((await store.snapshot()).revision).toBe(0);
    await store.updateSettings({ menuKey: 'F9' });
    await store.saveBookmark(undefined, newBookmarkFields('One', 'h:1'), KEEP);
    expect(await store.revision()).toBe(2);
    expect(onDisk().revision).toBe(2);
  });

  it('merges a stale bookmark save that changed other fields, and refuses one that changed the same', async () => {
    const store = openStore();
    const { bookmark } = await store.saveBookmark(undefined, newBookmarkFields('One', 'h:1'), KEEP);
    const { id, hasPassword: _p, createdAt: _c, lastConnected: _l, ...base } = bookmark;
    // Window A renames it; window B, still holding the old copy, changes its address.
    await store.saveBookmark(id, { ...base, name: 'Renamed' }, KEEP, base);
    const merged = await store.saveBookmark(id, { ...base, address: 'h:2' }, KEEP, base);
    expect(merged.bookmark).toMatchObject({ name: 'Renamed', address: 'h:2' });
    // Window C, also on the old copy, renames it too: refused, the newer name stays.
    await expect(store.saveBookmark(id, { ...base, name: 'Other' }, KEEP, base)).rejects.toThrow(
      /^the bookmark "Renamed": changed elsewhere while you were editing \(name\); saving would undo that/,
    );
    expect((await store.bookmark(id)).name).toBe('Renamed');
    // Without a base (an import, an old caller) the save replaces the fields as before.
    await store.saveBookmark(id, { ...base, name: 'Forced' }, KEEP);
    expect((await store.bookmark(id)).name).toBe('Forced');
  });

  it('merges stale global settings by field and refuses a field changed on both sides', async () => {
    const store = openStore();
    const base = (await store.snapshot()).settings;
    await store.updateSettings({ menuKey: 'F9' }, base);
    const merged = await store.updateSettings({ ...base, scaling: 'fill' }, base);
    expect(merged).toMatchObject({ menuKey: 'F9', scaling: 'fill' });
    await expect(store.updateSettings({ ...base, menuKey: 'F10' }, base)).rejects.toThrow(
      /^the settings: changed elsewhere while you were editing \(menuKey\)/,
    );
  });

  it('takes what another process saved before writing, so nothing of it is lost', async () => {
    const app = openStore();
    await app.saveBookmark(undefined, newBookmarkFields('From the app', 'h:1'), KEEP);
    // Another process (a `porthole` command, a second instance) saves to the same file.
    const other = openStore();
    await other.saveBookmark(undefined, newBookmarkFields('From elsewhere', 'h:2'), KEEP);
    await other.close();
    expect((await app.bookmarks()).map((b) => b.name)).toEqual(['From the app', 'From elsewhere']);
    await app.saveBookmark(undefined, newBookmarkFields('Later', 'h:3'), KEEP);
    expect(onDisk().bookmarks.map((b: { name: string }) => b.name)).toEqual([
      'From the app',
      'From elsewhere',
      'Later',
    ]);
    expect(onDisk().revision).toBeGreaterThan(2);
  });
});
