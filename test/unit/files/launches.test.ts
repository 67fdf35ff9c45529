import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importVncFile } from '../../../main/app/bookmark-files.ts';
import { openSettingsStore } from '../../../main/app/control-service.ts';
import { LaunchRegistry, readVncFileAt, storedPasswordLookup } from '../../../main/app/launches.ts';
import { LAUNCH_ID_PREFIX } from '../../../shared/ipc.ts';
import { newBookmarkFields } from '../../../shared/settings.ts';
import { aesTestCipher } from '../settings/test-cipher.ts';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/vnc-files');

describe('LaunchRegistry', () => {
  const office = importVncFile(
    'office.vnc',
    'Host=office.example\nPort=5902\nViewOnly=1\nQuality=Low\n',
  ).fields;

  it('hands each launch to one viewer once, without its password', () => {
    const launches = new LaunchRegistry();
    const launch = launches.add(office, 'hunter2');
    expect(launch.bookmarkId.startsWith(LAUNCH_ID_PREFIX)).toBe(true);
    expect(launch).toEqual({
      bookmarkId: launch.bookmarkId,
      name: 'office',
      target: 'office.example::5902',
      options: {
        viewOnly: true,
        quality: 'low',
        colourLevel: 'full',
        shared: true,
        scaling: 'fit',
        encodings: '',
        safeModeReconnect: true,
        ssh: { enabled: false, host: '', port: 22, user: '', identityFile: '' },
        libvirtUri: '',
      },
    });
    expect(JSON.stringify(launch)).not.toContain('hunter2');
    expect(launches.take()).toEqual([launch]);
    expect(launches.take()).toEqual([]);
  });

  it("gives the password only for the launch's own server", () => {
    const launches = new LaunchRegistry();
    const { bookmarkId } = launches.add(office, 'hunter2');
    expect(launches.passwordFor(bookmarkId, 'office.example::5902')).toBe('hunter2');
    expect(launches.passwordFor(bookmarkId, 'OFFICE.example:2')).toBe('hunter2');
    expect(launches.passwordFor(bookmarkId, 'evil.example::5902')).toBeUndefined();
    expect(launches.passwordFor(bookmarkId, 'office.example::5900')).toBeUndefined();
    expect(launches.passwordFor(bookmarkId, 'not a target')).toBeUndefined();
    expect(launches.passwordFor(`${LAUNCH_ID_PREFIX}guess`, 'office.example::5902')).toBeUndefined();
    const other = launches.add(office);
    expect(launches.passwordFor(other.bookmarkId, 'office.example::5902')).toBeUndefined();
  });

  it('keeps at most 64 launches, forgetting the oldest', () => {
    const launches = new LaunchRegistry();
    const first = launches.add(office, 'one');
    for (let i = 0; i < 64; i++) launches.add(office, 'later');
    expect(launches.passwordFor(first.bookmarkId, 'office.example::5902')).toBeUndefined();
    expect(launches.take()).toHaveLength(65);
  });
});

describe('storedPasswordLookup', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porthole-lookup-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers a launch id from the launches and a bookmark id from the settings store, each for its own server', async () => {
    const settings = openSettingsStore(dir, aesTestCipher());
    const { bookmark } = await settings.saveBookmark(undefined, newBookmarkFields('Lab', 'lab.example:3'), {
      action: 'set',
      password: 'bookmark-secret',
    });
    const launches = new LaunchRegistry();
    const launch = launches.add(newBookmarkFields('Office', 'office.example::5902'), 'launch-secret');
    const lookup = storedPasswordLookup(settings, launches);
    expect(await lookup(bookmark.id, 'lab.example::5903')).toBe('bookmark-secret');
    expect(await lookup(bookmark.id, 'office.example::5902')).toBeUndefined();
    expect(await lookup(launch.bookmarkId, 'office.example:2')).toBe('launch-secret');
    expect(await lookup(launch.bookmarkId, 'lab.example:3')).toBeUndefined();
    // Without a launch registry (browser mode started without a file) a launch id finds nothing.
    expect(
      await storedPasswordLookup(settings, undefined)(launch.bookmarkId, 'office.example:2'),
    ).toBeUndefined();
    await settings.close();
  });
});

describe('readVncFileAt', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porthole-vnc-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file from disk as importVncFile does', async () => {
    const result = await readVncFileAt(join(FIXTURES, 'realvnc-office.vnc'));
    expect(result.password).toBe('hunter2');
    expect(result.fields.address).toBe('office.example.com::5902');
  });

  it('refuses a file over 1 MiB by its size, names a missing file, and passes on line errors', async () => {
    const big = join(dir, 'big.vnc');
    writeFileSync(big, Buffer.alloc((1 << 20) + 1, 0x23));
    await expect(readVncFileAt(big)).rejects.toThrow(
      'big.vnc: the file is larger than 1 MiB; a .vnc file is a few lines of text',
    );
    const missing = join(dir, 'missing.vnc');
    await expect(readVncFileAt(missing)).rejects.toThrow(`cannot read ${missing}: ENOENT`);
    await expect(readVncFileAt(join(FIXTURES, 'broken-port.vnc'))).rejects.toThrow(
      'broken-port.vnc line 7: Port=abc is not a port number (1–65535)',
    );
  });
});
