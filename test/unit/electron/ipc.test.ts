import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IpcMainInvokeEvent } from 'electron';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkControlParams } from '../../../shared/control-params.ts';
import { CONTROL_NAMES, controlChannel, type RecentConnection } from '../../../shared/ipc.ts';

type IpcHandler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

const handlers = new Map<string, IpcHandler>();
const ourContents = new Set<object>();
const fakeWindow = { setFullScreen: vi.fn() };
const clipboardText = { value: '' };
const saveDialog = vi.fn();
const picturesDir = mkdtempSync(join(tmpdir(), 'porthole-pictures-'));

vi.mock('electron', () => ({
  ipcMain: { handle: (channel: string, handler: IpcHandler) => handlers.set(channel, handler) },
  BrowserWindow: { fromWebContents: (contents: object) => (ourContents.has(contents) ? fakeWindow : null) },
  clipboard: {
    readText: () => clipboardText.value,
    writeText: (text: string) => {
      clipboardText.value = text;
    },
  },
  dialog: { showSaveDialog: saveDialog },
  app: { getPath: (name: string) => (name === 'pictures' ? picturesDir : '/nonexistent') },
}));

const { isTrustedSender, registerControlHandlers, screenshotFileName } = await import(
  '../../../main/electron/ipc-handlers.ts'
);
const { createControlService } = await import('../../../main/app/control-service.ts');

/** The real control service over a data directory of its own (recent.json is read back). */
const dataDir = mkdtempSync(join(tmpdir(), 'porthole-ipc-'));
const recentFile = join(dataDir, 'recent.json');
const recentTargets = () =>
  (JSON.parse(readFileSync(recentFile, 'utf8')) as { recent: RecentConnection[] }).recent.map(
    (r) => r.target,
  );

/** An invoke event from a frame of a webContents; `ours` says whether a window of ours holds it. */
function eventFrom(url: string, options: { mainFrame?: boolean; ours?: boolean } = {}): IpcMainInvokeEvent {
  const mainFrame = { url, parent: null };
  const frame = options.mainFrame === false ? { url, parent: mainFrame } : mainFrame;
  const sender = { mainFrame };
  if (options.ours !== false) ourContents.add(sender);
  return { senderFrame: frame, sender } as unknown as IpcMainInvokeEvent;
}

async function call(
  name: string,
  params: unknown,
  event = eventFrom('app://porthole/index.html'),
): Promise<unknown> {
  const handler = handlers.get(`porthole:${name}`);
  if (!handler) throw new Error(`no handler for ${name}`);
  return await handler(event, params);
}

// Only recent:* is exercised here; the whole service is tested in test/unit/settings/control-service.test.ts.
beforeAll(() => registerControlHandlers(createControlService(dataDir), undefined));
beforeEach(() => vi.clearAllMocks());
afterAll(() => {
  rmSync(picturesDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

describe('isTrustedSender', () => {
  it.each([
    ['app://porthole/index.html', true, undefined, true],
    ['app://porthole/', true, undefined, true],
    ['app://porthole/index.html#/session', true, 'http://localhost:5173', true],
    ['http://localhost:5173/', true, 'http://localhost:5173', true],
    ['http://localhost:5173/index.html', true, 'http://localhost:5173/', true],
  ] as const)('trusts %s (main frame %s, dev %s)', (url, main, dev, expected) => {
    expect(isTrustedSender(url, main, dev)).toBe(expected);
  });

  it.each([
    ['app://porthole/index.html', false, undefined],
    [undefined, true, undefined],
    ['', true, undefined],
    ['app://porthole', true, undefined],
    ['app://porthole.evil/index.html', true, undefined],
    ['app://evil/porthole/', true, undefined],
    ['file:///srv/out/renderer/index.html', true, undefined],
    ['https://example.com/', true, undefined],
    ['http://localhost:5173/', true, undefined],
    ['http://localhost:51730/', true, 'http://localhost:5173'],
    ['http://localhost:5173.evil.com/', true, 'http://localhost:5173'],
    ['https://localhost:5173/', true, 'http://localhost:5173'],
    ['http://localhost:5173/', false, 'http://localhost:5173'],
    ['file:///x', true, 'file:///x'],
  ] as const)('distrusts %s (main frame %s, dev %s)', (url, main, dev) => {
    expect(isTrustedSender(url, main, dev)).toBe(false);
  });
});

describe('the control handlers', () => {
  it('registers one handler per control request, on its channel', () => {
    expect([...handlers.keys()].sort()).toEqual(CONTROL_NAMES.map(controlChannel).sort());
  });

  it('rejects a subframe, a foreign page and a webContents that is not our window', async () => {
    const untrusted = [
      eventFrom('app://porthole/index.html', { mainFrame: false }),
      eventFrom('https://evil.example/'),
      eventFrom('app://porthole/index.html', { ours: false }),
      { senderFrame: null, sender: { mainFrame: null } } as unknown as IpcMainInvokeEvent,
    ];
    for (const name of CONTROL_NAMES) {
      for (const event of untrusted) {
        await expect(call(name, {}, event)).rejects.toThrow(/untrusted/);
      }
    }
    expect(existsSync(recentFile)).toBe(false);
  });

  it('delegates recent:* to the control service, which keeps recent.json', async () => {
    expect(await call('recent:list', {})).toEqual([]);
    expect(await call('recent:add', { target: 'host:1' })).toMatchObject([{ target: 'host:1' }]);
    expect(await call('recent:add', { target: 'host:2' })).toMatchObject([
      { target: 'host:2' },
      { target: 'host:1' },
    ]);
    expect(recentTargets()).toEqual(['host:2', 'host:1']);
    expect(await call('recent:remove', { target: 'host:2' })).toMatchObject([{ target: 'host:1' }]);
    expect(recentTargets()).toEqual(['host:1']);
  });

  it('reads and writes the clipboard', async () => {
    expect(await call('clipboard:write', { text: 'hello' })).toBeNull();
    expect(await call('clipboard:read', {})).toBe('hello');
  });

  it('saves a screenshot where the user chose, or returns null when cancelled', async () => {
    const file = join(picturesDir, 'chosen.png');
    saveDialog.mockResolvedValueOnce({ canceled: false, filePath: file });
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    expect(await call('screenshot:save', { png, suggestedName: '../../evil/shot' })).toBe(file);
    expect(readFileSync(file)).toEqual(Buffer.from(png));
    expect(saveDialog).toHaveBeenCalledWith(fakeWindow, {
      defaultPath: join(picturesDir, 'shot.png'),
      filters: [{ name: 'PNG image', extensions: ['png'] }],
    });
    saveDialog.mockResolvedValueOnce({ canceled: true, filePath: '' });
    expect(await call('screenshot:save', { png, suggestedName: 'x.png' })).toBeNull();
  });

  it('toggles full screen on the sender window', async () => {
    expect(await call('window:fullscreen', { on: true })).toBeNull();
    expect(fakeWindow.setFullScreen).toHaveBeenCalledWith(true);
  });

  it.each([
    ['recent:list', null],
    ['recent:list', 'x'],
    ['recent:add', {}],
    ['recent:add', { target: 5 }],
    ['recent:add', { target: '' }],
    ['recent:add', { target: 'x'.repeat(5000) }],
    ['recent:remove', []],
    ['clipboard:write', { text: 1 }],
    ['clipboard:write', undefined],
    ['screenshot:save', { png: [1, 2, 3], suggestedName: 'a.png' }],
    ['screenshot:save', { png: new ArrayBuffer(4), suggestedName: 'a.png' }],
    ['screenshot:save', { png: new Uint8Array(4) }],
    ['window:fullscreen', { on: 'yes' }],
    ['window:fullscreen', {}],
  ])('rejects %s with params %j', async (name, params) => {
    const before = existsSync(recentFile) ? readFileSync(recentFile, 'utf8') : undefined;
    await expect(call(name, params)).rejects.toThrow(/invalid/);
    expect(existsSync(recentFile) ? readFileSync(recentFile, 'utf8') : undefined).toBe(before);
    expect(fakeWindow.setFullScreen).not.toHaveBeenCalled();
  });

  it('accepts the empty params of list requests as {} or nothing', async () => {
    expect(await call('recent:list', undefined)).toBeInstanceOf(Array);
    expect(checkControlParams('clipboard:read', {})).toEqual({});
    expect(checkControlParams('clipboard:read', undefined)).toEqual({});
  });

  it.each([
    ['shot.png', 'shot.png'],
    ['shot', 'shot.png'],
    ['../../etc/shot.PNG', 'shot.PNG'],
    ['C:\\Users\\x\\shot', 'shot.png'],
    ['', 'screenshot.png'],
    ['..', 'screenshot.png'],
    ['a:b?.png', 'a_b_.png'],
  ])('names the screenshot file %j as %j', (suggested, name) => {
    expect(screenshotFileName(suggested)).toBe(name);
  });
});
