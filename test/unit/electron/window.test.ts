import { EventEmitter } from 'node:events';
import type { BrowserWindowConstructorOptions, WindowOpenHandlerResponse } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

type Handler = (...args: unknown[]) => unknown;

class FakeSession {
  requestHandler: Handler | undefined;
  checkHandler: Handler | undefined;
  deviceHandler: Handler | undefined;
  setPermissionRequestHandler(h: Handler): void {
    this.requestHandler = h;
  }
  setPermissionCheckHandler(h: Handler): void {
    this.checkHandler = h;
  }
  setDevicePermissionHandler(h: Handler): void {
    this.deviceHandler = h;
  }
}

class FakeWebContents extends EventEmitter {
  openHandler: ((details: { url: string }) => WindowOpenHandlerResponse) | undefined;
  session = new FakeSession();
  setWindowOpenHandler(h: (details: { url: string }) => WindowOpenHandlerResponse): void {
    this.openHandler = h;
  }
}

const created: FakeWindow[] = [];

class FakeWindow extends EventEmitter {
  webContents = new FakeWebContents();
  loadURL = vi.fn(async (_url: string) => undefined);
  show = vi.fn();
  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
    created.push(this);
  }
}

vi.mock('electron', () => ({ BrowserWindow: FakeWindow }));

const { createMainWindow, hardenWebContents, denyAllPermissions, secureWebPreferences } = await import(
  '../../../main/electron/window.ts'
);

function navigate(contents: FakeWebContents, event: 'will-navigate' | 'will-redirect', url: string): boolean {
  const preventDefault = vi.fn();
  contents.emit(event, { preventDefault }, url);
  return preventDefault.mock.calls.length > 0;
}

beforeEach(() => {
  created.length = 0;
});
afterEach(() => vi.clearAllMocks());

describe('the main window', () => {
  it('gets exactly the secure web preferences and the CommonJS preload', () => {
    createMainWindow(undefined);
    const prefs = created[0].options.webPreferences;
    expect(prefs).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(prefs?.preload).toMatch(/[/\\]preload[/\\]index\.cjs$/);
    expect(secureWebPreferences('/p.cjs')).toEqual({ ...prefs, preload: '/p.cjs' });
  });

  it('loads app://porthole/index.html, or the dev server URL in development', () => {
    createMainWindow(undefined);
    createMainWindow('http://localhost:5173/');
    expect(created[0].loadURL).toHaveBeenCalledWith('app://porthole/index.html');
    expect(created[1].loadURL).toHaveBeenCalledWith('http://localhost:5173/');
  });

  it('denies window.open', () => {
    createMainWindow(undefined);
    expect(created[0].webContents.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(created[0].webContents.openHandler?.({ url: 'app://porthole/index.html' })).toEqual({
      action: 'deny',
    });
  });

  it('prevents navigation and redirects away from the app', () => {
    createMainWindow(undefined);
    const contents = created[0].webContents;
    for (const event of ['will-navigate', 'will-redirect'] as const) {
      expect(navigate(contents, event, 'https://evil.example/')).toBe(true);
      expect(navigate(contents, event, 'file:///etc/passwd')).toBe(true);
      expect(navigate(contents, event, 'app://porthole.evil/index.html')).toBe(true);
      expect(navigate(contents, event, 'http://localhost:5173/')).toBe(true);
      expect(navigate(contents, event, 'app://porthole/index.html')).toBe(false);
    }
  });

  it('allows the dev server origin only in development', () => {
    const contents = new FakeWebContents();
    hardenWebContents(contents as never, 'http://localhost:5173/');
    expect(navigate(contents, 'will-navigate', 'http://localhost:5173/#x')).toBe(false);
    expect(navigate(contents, 'will-navigate', 'http://localhost:51730/')).toBe(true);
    expect(navigate(contents, 'will-navigate', 'http://127.0.0.1:5173/')).toBe(true);
  });

  it('refuses to attach webviews', () => {
    createMainWindow(undefined);
    const preventDefault = vi.fn();
    created[0].webContents.emit('will-attach-webview', { preventDefault }, {}, {});
    expect(preventDefault).toHaveBeenCalled();
  });

  it('denies every permission request and check, the clipboard included', () => {
    createMainWindow(undefined);
    const session = created[0].webContents.session;
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'clipboard-sanitized-write',
    ]) {
      const callback = vi.fn();
      session.requestHandler?.(created[0].webContents, permission, callback, {});
      expect(callback).toHaveBeenCalledWith(false);
      expect(session.checkHandler?.(created[0].webContents, permission, 'app://porthole', {})).toBe(false);
    }
    expect(session.deviceHandler?.({})).toBe(false);
  });

  it('applies the same denial to any session', () => {
    const session = new FakeSession();
    denyAllPermissions(session as never);
    const callback = vi.fn();
    session.requestHandler?.(null, 'midi', callback, {});
    expect(callback).toHaveBeenCalledWith(false);
  });
});
