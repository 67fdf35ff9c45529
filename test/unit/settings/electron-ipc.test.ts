import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IpcMainInvokeEvent } from 'electron';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CONTROL_NAMES, controlChannel } from '../../../shared/ipc.ts';
import { newBookmarkFields } from '../../../shared/settings.ts';
import { aesTestCipher } from './test-cipher.ts';

type IpcHandler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;
const handlers = new Map<string, IpcHandler>();
const ourContents = new Set<object>();

vi.mock('electron', () => ({
  ipcMain: { handle: (channel: string, handler: IpcHandler) => handlers.set(channel, handler) },
  BrowserWindow: { fromWebContents: (contents: object) => (ourContents.has(contents) ? {} : null) },
  clipboard: {},
  dialog: {},
  app: { getPath: () => '/nonexistent' },
}));

const { registerControlHandlers } = await import('../../../main/electron/ipc-handlers.ts');
const { createControlService, openSettingsStore } = await import('../../../main/app/control-service.ts');

const dir = mkdtempSync(join(tmpdir(), 'porthole-ipc-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
registerControlHandlers(
  createControlService(dir, { settings: openSettingsStore(dir, aesTestCipher()) }),
  undefined,
);

function event(url = 'app://porthole/index.html'): IpcMainInvokeEvent {
  const mainFrame = { url, parent: null };
  const sender = { mainFrame };
  ourContents.add(sender);
  return { senderFrame: mainFrame, sender } as unknown as IpcMainInvokeEvent;
}

async function call(name: string, params: unknown, from = event()): Promise<unknown> {
  const handler = handlers.get(controlChannel(name as never));
  if (!handler) throw new Error(`no handler for ${name}`);
  return await handler(from, params);
}

const fields = newBookmarkFields('Desk', 'desk:1');

describe('Electron IPC with the real control service', () => {
  it('registers every control request', () => {
    expect([...handlers.keys()].sort()).toEqual(CONTROL_NAMES.map(controlChannel).sort());
  });

  it('saves and loads bookmarks through IPC; the password never comes back', async () => {
    const saved = (await call('bookmarks:save', {
      fields,
      password: { action: 'set', password: 'ipc-secret' },
    })) as {
      id: string;
    };
    const snapshot = await call('settings:load', {});
    expect(snapshot).toMatchObject({ bookmarks: [{ id: saved.id, name: 'Desk', hasPassword: true }] });
    expect(JSON.stringify(snapshot)).not.toContain('ipc-secret');
  });

  it('refuses bad params and untrusted frames before touching the store', async () => {
    await expect(
      call('bookmarks:save', { fields: { ...fields, name: 7 }, password: { action: 'keep' } }),
    ).rejects.toThrow(/fields.name/);
    await expect(call('scan:host', { host: 'h', firstPort: 1, lastPort: 5000 })).rejects.toThrow(
      /at most 1024/,
    );
    await expect(call('settings:load', {}, event('https://evil.example/'))).rejects.toThrow(/untrusted/);
  });
});
