import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PasswordVault } from '../../../main/app/password-vault.ts';
import { SettingsStore } from '../../../main/app/settings-store.ts';
import type { BookmarkFields, GlobalSettings } from '../../../shared/settings.ts';
import { aesTestCipher } from './test-cipher.ts';

let dir: string;
const NOW = new Date('2026-03-04T05:06:07.890Z');
const STAMP = '2026-03-04T05-06-07-890Z';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'porthole-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function openStore(cipher = aesTestCipher()): SettingsStore {
  return new SettingsStore(dir, new PasswordVault(dir, cipher), () => NOW);
}

/** Every bookmark field with a value other than its default. */
const fullFields: BookmarkFields = {
  name: 'Build box',
  address: 'vnc://build.example:5901',
  username: 'ada',
  shared: false,
  viewOnly: true,
  quality: 'low',
  colourLevel: 'rgb332',
  scaling: '1:1',
  encodings: 'zrle,hextile,raw',
  security: {
    types: [2, 1],
    requireEncryption: true,
    allowPlainUnencrypted: false,
    caFile: '',
    clientCertFile: '',
    clientKeyFile: '',
  },
  ssh: { enabled: true, host: 'bastion', port: 2222, user: 'ops', identityFile: '/home/ada/.ssh/id' },
  notes: 'Line one\nLine two ✓',
  group: 'Lab',
  tags: ['linux', 'ci'],
  favourite: true,
  safeModeReconnect: false,
};

/** Every global setting with a value other than its default. */
const fullSettings: GlobalSettings = {
  defaultQuality: 'medium',
  defaultColourLevel: 'rgb222',
  scaling: 'fill',
  menuKey: 'F9',
  keyboard: { scancodes: false, releaseOnBlur: false },
  reconnect: { enabled: false, maxAttempts: 7, safeMode: false, stallSeconds: 45 },
  listen: { port: 5599 },
  thumbnails: false,
};

function filesIn(directory: string): string[] {
  return readdirSync(directory).sort();
}

describe('SettingsStore', () => {
  it('starts from defaults when there is no file, and writes nothing until asked', async () => {
    const snapshot = await openStore().snapshot();
    expect(snapshot.bookmarks).toEqual([]);
    expect(snapshot.settings.defaultQuality).toBe('auto');
    expect(snapshot.settings.reconnect).toEqual({
      enabled: true,
      maxAttempts: 0,
      safeMode: true,
      stallSeconds: 20,
    });
    expect(snapshot.notices).toEqual([]);
    expect(snapshot.passwordStorage).toEqual({ available: true });
    expect(filesIn(dir)).toEqual([]);
  });

  it('round-trips every bookmark field and every global setting through a new store', async () => {
    const first = openStore();
    expect(await first.updateSettings(fullSettings)).toEqual(fullSettings);
    const { bookmark } = await first.saveBookmark(undefined, fullFields, { action: 'keep' });
    const connected = await first.markConnected(bookmark.id);
    expect(connected.lastConnected).toBe(NOW.toISOString());
    await first.close();

    const snapshot = await openStore().snapshot();
    expect(snapshot.settings).toEqual(fullSettings);
    expect(snapshot.bookmarks).toEqual([
      {
        ...fullFields,
        id: bookmark.id,
        hasPassword: false,
        createdAt: NOW.toISOString(),
        lastConnected: NOW.toISOString(),
      },
    ]);
    expect(bookmark.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(snapshot.notices).toEqual([]);
  });

  it('merges partial settings, nested groups included, and rejects invalid ones without writing', async () => {
    const store = openStore();
    await store.updateSettings({
      reconnect: { enabled: true, maxAttempts: 3, safeMode: true, stallSeconds: 20 },
    });
    const merged = await store.updateSettings({ reconnect: { maxAttempts: 9 } } as Partial<GlobalSettings>);
    expect(merged.reconnect).toEqual({ enabled: true, maxAttempts: 9, safeMode: true, stallSeconds: 20 });
    const before = readFileSync(join(dir, 'settings.json'), 'utf8');
    await expect(store.updateSettings({ listen: { port: 70000 } })).rejects.toThrow(/port|70000|Invalid/i);
    await expect(store.updateSettings({ defaultQuality: 'ultra' as never })).rejects.toThrow();
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toBe(before);
    expect((await store.snapshot()).settings.reconnect.maxAttempts).toBe(9);
  });

  it('never writes an invalid document: a bad bookmark is refused and the file is unchanged', async () => {
    const store = openStore();
    await store.saveBookmark(undefined, fullFields, { action: 'keep' });
    const before = readFileSync(join(dir, 'settings.json'), 'utf8');
    await expect(
      store.saveBookmark(undefined, { ...fullFields, name: '' }, { action: 'keep' }),
    ).rejects.toThrow(/name/);
    await expect(
      store.saveBookmark(undefined, { ...fullFields, address: 'x'.repeat(2000) }, { action: 'keep' }),
    ).rejects.toThrow(/address/);
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toBe(before);
    expect((await store.bookmarks()).length).toBe(1);
  });

  it('keeps the previous good file as settings.json.bak before each save', async () => {
    const store = openStore();
    await store.updateSettings({ menuKey: 'F7' });
    const firstFile = readFileSync(join(dir, 'settings.json'), 'utf8');
    expect(filesIn(dir)).toEqual(['settings.json']);
    await store.updateSettings({ menuKey: 'F6' });
    expect(readFileSync(join(dir, 'settings.json.bak'), 'utf8')).toBe(firstFile);
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).settings.menuKey).toBe('F6');
  });

  it('serialises concurrent saves: all land, in order', async () => {
    const store = openStore();
    const saves = Array.from({ length: 25 }, (_, i) =>
      store.saveBookmark(undefined, { ...fullFields, name: `B${i}` }, { action: 'keep' }),
    );
    await Promise.all(saves);
    const again = await openStore().bookmarks();
    expect(again.map((b) => b.name)).toEqual(Array.from({ length: 25 }, (_, i) => `B${i}`));
  });

  it('migrates a version-1 file, keeping everything and the old file as settings.json.v1.bak', async () => {
    const v1 = {
      version: 1,
      defaults: { quality: 'high', colourLevel: 'rgb111' },
      bookmarks: [
        { name: 'Office', target: 'office.example:1', username: 'bob', viewOnly: true, notes: 'desk' },
        { name: 'Lab VM', target: '10.0.0.5::5905', shared: false, tags: ['vm'] },
      ],
    };
    const v1Text = `${JSON.stringify(v1, null, 2)}\n`;
    writeFileSync(join(dir, 'settings.json'), v1Text);

    const snapshot = await openStore().snapshot();
    expect(snapshot.notices).toEqual([]);
    expect(snapshot.settings.defaultQuality).toBe('high');
    expect(snapshot.settings.defaultColourLevel).toBe('rgb111');
    expect(snapshot.bookmarks.map((b) => [b.id, b.name, b.address])).toEqual([
      ['migrated-1', 'Office', 'office.example:1'],
      ['migrated-2', 'Lab VM', '10.0.0.5::5905'],
    ]);
    expect(snapshot.bookmarks[0]).toMatchObject({ username: 'bob', viewOnly: true, notes: 'desk' });
    expect(snapshot.bookmarks[1]).toMatchObject({ shared: false, tags: ['vm'] });

    expect(readFileSync(join(dir, 'settings.json.v1.bak'), 'utf8')).toBe(v1Text);
    const saved = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'));
    expect(saved.version).toBe(2);
    expect(saved.bookmarks).toEqual(snapshot.bookmarks);
    // A second start reads version 2 as it is.
    expect((await openStore().snapshot()).bookmarks).toEqual(snapshot.bookmarks);
  });

  it('moves a corrupt file aside and restores the backup, naming both in the notice', async () => {
    const store = openStore();
    await store.updateSettings({ menuKey: 'F7' });
    await store.updateSettings({ menuKey: 'F6' });
    await store.close();
    const bakTime = statSync(join(dir, 'settings.json.bak')).mtime.toISOString();
    const garbage = Buffer.from('{"version": 2, "settings": {"menuKey": "F6"\u0000\u00ff', 'latin1');
    writeFileSync(join(dir, 'settings.json'), garbage);

    const snapshot = await openStore().snapshot();
    const aside = join(dir, `settings.json.corrupt-${STAMP}`);
    expect(readFileSync(aside)).toEqual(garbage);
    expect(snapshot.settings.menuKey).toBe('F7');
    expect(snapshot.notices).toHaveLength(1);
    expect(snapshot.notices[0]).toContain(`Porthole could not read ${join(dir, 'settings.json')}`);
    expect(snapshot.notices[0]).toContain(`it was moved to ${aside}`);
    expect(snapshot.notices[0]).toContain(`your settings were restored from the backup of ${bakTime}`);
    expect(filesIn(dir)).toEqual(['settings.json.bak', `settings.json.corrupt-${STAMP}`]);
  });

  it('moves aside a file that fails the schema and starts from defaults when there is no backup', async () => {
    const text = JSON.stringify({ version: 2, bookmarks: [{ id: 'a', name: 'no address' }] });
    writeFileSync(join(dir, 'settings.json'), text);
    const snapshot = await openStore().snapshot();
    const aside = join(dir, `settings.json.corrupt-${STAMP}`);
    expect(readFileSync(aside, 'utf8')).toBe(text);
    expect(snapshot.bookmarks).toEqual([]);
    expect(snapshot.notices[0]).toContain(`bookmarks.0.address`);
    expect(snapshot.notices[0]).toContain(`it was moved to ${aside}; Porthole started with default settings`);
  });

  it('moves aside a file from a newer version, never overwriting it, and restores the backup', async () => {
    const store = openStore();
    await store.saveBookmark(undefined, fullFields, { action: 'keep' });
    await store.saveBookmark(undefined, { ...fullFields, name: 'Second' }, { action: 'keep' });
    await store.close();
    const newer = `${JSON.stringify({ version: 3, everything: 'different' })}\n`;
    writeFileSync(join(dir, 'settings.json'), newer);

    const restarted = openStore();
    const snapshot = await restarted.snapshot();
    const aside = join(dir, `settings.json.newer-v3-${STAMP}`);
    expect(readFileSync(aside, 'utf8')).toBe(newer);
    expect(snapshot.bookmarks.map((b) => b.name)).toEqual(['Build box']);
    expect(snapshot.notices[0]).toContain('written by a newer Porthole (settings version 3');
    expect(snapshot.notices[0]).toContain(`it was moved to ${aside}`);
    expect(snapshot.notices[0]).toContain('restored from the backup');
    // Saving again writes a new settings.json; the moved file stays as it was.
    await restarted.updateSettings({ menuKey: 'F2' });
    expect(readFileSync(aside, 'utf8')).toBe(newer);
  });

  it('ignores and removes temporary files a killed writer left behind', async () => {
    const store = openStore();
    await store.updateSettings({ menuKey: 'F4' });
    await store.close();
    writeFileSync(join(dir, '.settings.json.999.abcdef.tmp'), '{"version": 2, "settings": {"menu');
    const snapshot = await openStore().snapshot();
    expect(snapshot.settings.menuKey).toBe('F4');
    expect(snapshot.notices).toEqual([]);
    expect(filesIn(dir)).toEqual(['settings.json']);
  });
});
