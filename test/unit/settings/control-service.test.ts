import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createControlService, openSettingsStore } from '../../../main/app/control-service.ts';
import type { VncProbe } from '../../../main/discovery/probe.ts';
import { obfuscateVncPassword } from '../../../main/rfb/security/vnc-auth.ts';
import { type Bookmark, newBookmarkFields } from '../../../shared/settings.ts';
import { aesTestCipher } from './test-cipher.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'porthole-control-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const fields = newBookmarkFields('Lab', 'lab.example:3', {
  username: 'ada',
  quality: 'high',
  encodings: 'zrle,raw',
  group: 'Work',
  tags: ['x'],
});

function service(scan?: (host: string, o: { from: number; to: number }) => Promise<VncProbe[]>) {
  const settings = openSettingsStore(dir, aesTestCipher());
  return { control: createControlService(dir, { settings, scan }), settings };
}

describe('control service: settings and bookmarks', () => {
  it('serves the whole bookmark life cycle and never returns a password', async () => {
    const { control, settings } = service();
    const loaded = await control['settings:load']({});
    expect(loaded).toMatchObject({ bookmarks: [], notices: [], passwordStorage: { available: true } });

    const saved = await control['bookmarks:save']({
      fields,
      password: { action: 'set', password: 'pa55word' },
    });
    expect(saved).toMatchObject({ ...fields, hasPassword: true });
    expect(JSON.stringify(saved)).not.toContain('pa55word');
    const edited = await control['bookmarks:save']({
      id: saved.id,
      fields: { ...fields, name: 'Lab 2' },
      password: { action: 'keep' },
    });
    expect(edited).toMatchObject({ id: saved.id, name: 'Lab 2', hasPassword: true });
    const copy = await control['bookmarks:duplicate']({ id: saved.id });
    expect(copy).toMatchObject({ name: 'Copy of Lab 2', hasPassword: true });
    const connected = await control['bookmarks:connected']({ id: saved.id });
    expect(connected.lastConnected).not.toBeNull();

    expect((await control['bookmarks:delete']({ id: copy.id })).map((b) => b.id)).toEqual([saved.id]);
    expect((await control['bookmarks:undo-delete']({ id: copy.id })).map((b) => b.id)).toEqual([
      saved.id,
      copy.id,
    ]);

    const snapshot = await control['settings:load']({});
    expect(snapshot.bookmarks).toHaveLength(2);
    expect(JSON.stringify(snapshot)).not.toContain('pa55word');
    expect(await settings.passwordFor(copy.id, 'lab.example:3')).toBe('pa55word');

    const updated = await control['settings:update']({
      settings: { scaling: '1:1', keyboard: { scancodes: false } },
    });
    expect(updated).toMatchObject({ scaling: '1:1', keyboard: { scancodes: false, releaseOnBlur: true } });
  });

  it('imports a .vnc file with its password into the vault, and exports without it', async () => {
    const { control, settings } = service();
    const hex = Buffer.from(obfuscateVncPassword('filepass')).toString('hex');
    const text = `[Connection]\nHost=office.example.com\nPort=5902\nPassword=${hex}\n[Options]\nViewOnly=1\n`;
    const { bookmark, warnings } = await control['bookmarks:import-vnc']({ fileName: 'office.vnc', text });
    expect(warnings).toEqual([]);
    expect(bookmark).toMatchObject({
      address: 'office.example.com::5902',
      viewOnly: true,
      hasPassword: true,
    });
    expect(await settings.passwordFor(bookmark.id)).toBe('filepass');

    const exported = await control['bookmarks:export-vnc']({ id: bookmark.id });
    expect(exported.fileName).toMatch(/\.vnc$/);
    expect(exported.text).toContain('office.example.com');
    expect(exported.text).not.toContain(hex);
    for (const name of readdirSync(dir))
      expect(readFileSync(join(dir, name), 'utf8')).not.toContain('filepass');
  });

  it('reports in the warnings that an imported password could not be stored without a keyring', async () => {
    const control = createControlService(dir);
    const hex = Buffer.from(obfuscateVncPassword('filepass')).toString('hex');
    const { bookmark, warnings } = await control['bookmarks:import-vnc']({
      fileName: 'office.vnc',
      text: `[Connection]\nHost=office.example.com\nPassword=${hex}\n`,
    });
    expect(bookmark.hasPassword).toBe(false);
    expect(warnings.join(' ')).toContain('browser mode has no system keyring');
    const snapshot = await control['settings:load']({});
    expect(snapshot.passwordStorage).toEqual({
      available: false,
      reason: 'browser mode has no system keyring; the desktop app stores passwords',
    });
  });

  it('exports all bookmarks as JSON and imports them back with new ids', async () => {
    const { control } = service();
    const first = await control['bookmarks:save']({
      fields,
      password: { action: 'set', password: 'secret99' },
    });
    const exported = await control['bookmarks:export-json']({});
    expect(exported.text).not.toContain('secret99');
    const result = await control['bookmarks:import-json']({ text: exported.text });
    expect(result.added).toBe(1);
    expect(result.bookmarks).toHaveLength(2);
    const imported = result.bookmarks[1] as Bookmark;
    expect(imported.id).not.toBe(first.id);
    expect(imported).toMatchObject({ ...fields, hasPassword: false });
    await expect(control['bookmarks:import-json']({ text: '{"nope": true' })).rejects.toThrow(/JSON/);
  });

  it('resolves links against the bookmarks', async () => {
    const { control } = service();
    const saved = await control['bookmarks:save']({
      fields: { ...fields, address: 'lab.example::5903' },
      password: { action: 'keep' },
    });
    const known = await control['link:resolve']({ url: 'vnc://lab.example:5903' });
    expect(known).toMatchObject({ bookmarkId: saved.id, needsConfirmation: false });
    const unknown = await control['link:resolve']({ url: 'vnc://other.example:5900' });
    expect(unknown.bookmarkId).toBeUndefined();
    expect(unknown.needsConfirmation).toBe(true);
  });

  it.each([
    ['settings:load', { extra: 1 }, /unknown field "extra"/],
    ['settings:update', { settings: { scaling: 'huge' } }, /settings.scaling/],
    [
      'settings:update',
      { settings: { keyboard: { scancode: true } } },
      /settings.keyboard has an unknown field "scancode"/,
    ],
    ['settings:update', { settings: [] }, /"settings" must be an object/],
    ['settings:update', { settings: {}, base: { bogus: 1 } }, /base has an unknown field "bogus"/],
    ['settings:revision', { now: true }, /unknown field "now"/],
    ['bookmarks:save', { fields, password: { action: 'keep' }, base: { ...fields, name: '' } }, /base.name/],
    ['pins:remove', { server: '' }, /"server" must not be empty/],
    ['pins:remove', {}, /"server" is missing/],
    ['bookmarks:save', { fields, password: { action: 'set' } }, /"password.password" is missing/],
    ['bookmarks:save', { fields, password: { action: 'reveal' } }, /password.action/],
    ['bookmarks:save', { fields: { ...fields, name: '' }, password: { action: 'keep' } }, /fields.name/],
    [
      'bookmarks:save',
      { fields: { ...fields, port: 1 }, password: { action: 'keep' } },
      /unknown field "port"/,
    ],
    [
      'bookmarks:save',
      { fields: { ...fields, ssh: { port: 0 } }, password: { action: 'keep' } },
      /fields.ssh.port/,
    ],
    ['bookmarks:save', { fields, password: { action: 'keep' }, id: 5 }, /"id" must be a string/],
    [
      'bookmarks:save',
      { fields: { ...fields, id: 'x' }, password: { action: 'keep' } },
      /unknown field "id"/,
    ],
    ['bookmarks:duplicate', { id: '' }, /"id" must not be empty/],
    ['bookmarks:delete', {}, /"id" is missing/],
    ['bookmarks:connected', { id: 'x'.repeat(65) }, /longer than 64/],
    ['bookmarks:import-vnc', { fileName: 'a.vnc' }, /"text" is missing/],
    ['link:resolve', { url: 42 }, /"url" must be a string/],
    ['scan:host', { host: '' }, /"host" must not be empty/],
    ['scan:host', { host: 'a b' }, /host name or an IP address/],
    ['scan:host', { host: 'h', firstPort: 0 }, /port number/],
    ['scan:host', { host: 'h', firstPort: 6000, lastPort: 5900 }, /below/],
    ['scan:host', { host: 'h', firstPort: 1000, lastPort: 2024 }, /at most 1024 ports; 1000–2024 is 1025/],
  ] as const)('%s rejects %j', async (name, params, message) => {
    const { control } = service(async () => []);
    await expect((control[name] as (p: unknown) => Promise<unknown>)(params)).rejects.toThrow(message);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('names the bookmark an id does not find', async () => {
    const { control } = service();
    await expect(control['bookmarks:duplicate']({ id: 'missing' })).rejects.toThrow(
      /no bookmark with id "missing"/,
    );
    await expect(control['bookmarks:undo-delete']({ id: 'missing' })).rejects.toThrow(/cannot be restored/);
  });
});

describe('control service: scan:host', () => {
  it('probes 5900–5999 by default and maps probes to servers with notes', async () => {
    const scan = vi.fn(
      async (host: string): Promise<VncProbe[]> => [
        { host, port: 5901, version: '3.8', securityTypes: [1], name: 'desk', width: 800, height: 600 },
        { host, port: 5902, version: '3.8', securityTypes: [2] },
        { host, port: 5903, version: '3.8', securityTypes: [] },
      ],
    );
    const { control } = service(scan);
    const found = await control['scan:host']({ host: 'box' });
    expect(scan).toHaveBeenCalledWith('box', { from: 5900, to: 5999 });
    expect(found[0]).toEqual({
      host: 'box',
      port: 5901,
      version: '3.8',
      securityTypes: [1],
      name: 'desk',
      width: 800,
      height: 600,
    });
    expect(found[1].note).toMatch(/password/);
    expect(found[2].note).toMatch(/refused/);
    await control['scan:host']({ host: 'box', firstPort: 6000 });
    expect(scan).toHaveBeenLastCalledWith('box', { from: 6000, to: 6099 });
  });

  it('finds a real listener on loopback that offers VncAuth', async () => {
    const server = net.createServer((socket) => {
      socket.write('RFB 003.008\n');
      socket.once('data', () => socket.write(Buffer.from([1, 2])));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const control = createControlService(dir);
      const found = await control['scan:host']({ host: '127.0.0.1', firstPort: port, lastPort: port });
      expect(found).toEqual([
        {
          host: '127.0.0.1',
          port,
          version: '3.8',
          securityTypes: [2],
          note: 'the server wants a password (or another kind of security)',
        },
      ]);
    } finally {
      server.close();
    }
  });
});
